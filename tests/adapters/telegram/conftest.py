"""The bot's tests talk as the kit's sales team (Telegram ids 1001 to 1004)."""

import pytest

from rapport.testing.chat import Chat
from rapport.testing.recording import RecordingSession


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def chat(app, team, session) -> Chat:
    return Chat(app, session)
