"""Everything a person reads in the chat exists in Russian and Ukrainian, placeholders kept."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from rapport.adapters.telegram.menu import DESCRIPTIONS
from rapport.core.i18n import _catalogue

ROOT = Path(__file__).parents[1]
PACKAGES = sorted(p.parent for p in [*ROOT.glob("*/locales"), *ROOT.glob("*/*/locales")]
                  if ".venv" not in p.parts and "node_modules" not in p.parts)  # fmt: skip


def messages_of(package):
    keywords = {"_": None, "_l": None}
    found = {m for _, _, m, *_ in extract_from_dir(str(package), keywords=keywords)}
    return found | (set(DESCRIPTIONS.values()) if package.name == "telegram" else set())


def test_every_chat_facing_package_has_catalogues():
    names = {p.relative_to(ROOT).as_posix() for p in PACKAGES}
    assert names == {
        "core",
        "adapters/sheets",
        "adapters/telegram",
        "plugins/contacts",
        "plugins/loyalty",
        "plugins/sales",
        "plugins/tasks",
    }


@pytest.mark.parametrize("language", ["ru", "uk"])
@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_message_is_translated_with_its_placeholders(package, language):
    catalogue = _catalogue(package / "locales", language)
    messages = messages_of(package)
    assert messages
    assert sorted(m for m in messages if m not in catalogue) == []
    for message in messages:
        assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", catalogue[message]))


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_every_command_is_described_in_the_menu_languages(app, language):
    undescribed = [spec.name for spec in app.registry.commands.values()
                   if language not in spec.descriptions]  # fmt: skip
    assert undescribed == []
