"""Every sentence the bot says has its Russian and Ukrainian translation, placeholders kept."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from adapters.telegram.bot import DESCRIPTIONS
from adapters.telegram.i18n import _catalogue

SOURCE = Path(__file__).parents[3] / "adapters" / "telegram"


def said_by_the_bot():
    found = {message for _, _, message, *_ in extract_from_dir(str(SOURCE), keywords={"_": None})}
    return found | set(DESCRIPTIONS.values())


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_every_message_is_translated_with_its_placeholders(language):
    catalogue = _catalogue(language)
    messages = said_by_the_bot()
    assert len(messages) > 50
    missing = sorted(m for m in messages if m not in catalogue)
    assert missing == []
    for message in messages:
        assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", catalogue[message]))
