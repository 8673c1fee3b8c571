"""What the contacts plugin records about every customer, declared once as fields.

Each becomes a validated value on the record, a question in the bot and a sheet column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypedDict, Unpack

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import Text
from rapport.core.domain.fields import FieldSpec, FieldValue
from rapport.core.i18n import texts_for
from rapport.plugins.contacts.options import ContactsOptions

_l = texts_for(__file__).lazy


class _Extra(TypedDict, total=False):
    """What a field here may set beyond its name, type and labels."""

    choices: tuple[str, ...]
    choice_labels: dict[str, dict[str, str]]
    max_length: int
    validator: Callable[[FieldValue], str | Text | None]


def _field(
    name: str, type_: FieldType, en: str, ru: str, uk: str, **extra: Unpack[_Extra]
) -> FieldSpec:
    return FieldSpec(
        entity="customer",
        name=name,
        type=type_,
        label=en,
        labels={"en": en, "ru": ru, "uk": uk},
        **extra,
    )


def contact_fields(options: ContactsOptions) -> list[FieldSpec]:
    return [
        _field(
            "org_type",
            FieldType.CHOICE,
            "Organisation type",
            "Тип организации",
            "Тип організації",
            choices=options.organisation_types,
            choice_labels=_labels(options.organisation_types),
        ),
        _field("industry", FieldType.TEXT, "Industry", "Отрасль", "Галузь", max_length=200),
        _field("region", FieldType.TEXT, "Region", "Регион", "Регіон", max_length=200),
        _field(
            "source",
            FieldType.CHOICE,
            "Where they heard of us",
            "Откуда узнал о нас",
            "Звідки дізнався про нас",
            choices=options.sources,
            choice_labels=_labels(options.sources),
        ),
        _field(
            "loyalty_reasons",
            FieldType.TEXT,
            "Why they are loyal",
            "Почему лоялен",
            "Чому лояльний",
        ),
        _field(
            "interests",
            FieldType.TEXT,
            "Interest in our other products",
            "Интерес к другим продуктам",
            "Інтерес до інших продуктів",
        ),
        _field(
            "competitor_purchases",
            FieldType.TEXT,
            "Buys from competitors",
            "Что покупает у конкурентов",
            "Що купує у конкурентів",
        ),
        _field(
            "messengers",
            FieldType.TEXT,
            "Messengers",
            "Мессенджеры",
            "Месенджери",
            max_length=500,
        ),
        _field(
            "consent",
            FieldType.MULTI_CHOICE,
            "Agreed to be contacted by",
            "Согласие на контакт",
            "Згода на контакт",
            choices=options.consent_channels,
            choice_labels=_labels(options.consent_channels),
        ),
        _field(
            "birthday",
            FieldType.DATE,
            "Birthday",
            "День рождения",
            "День народження",
            validator=_not_in_future,
        ),
        _field("notes", FieldType.TEXT, "Notes", "Заметки", "Нотатки", max_length=5000),
    ]


CHOICE_WORDS = {
    "ru": {"client": "клиент", "dealer": "дилер", "supplier": "поставщик",
           "competitor": "конкурент", "partner": "партнёр", "recommendation": "рекомендация",
           "website": "сайт", "exhibition": "выставка", "cold call": "холодный звонок",
           "advertising": "реклама", "social media": "соцсети", "other": "другое",
           "call": "звонок", "sms": "SMS", "email": "почта", "telegram": "Telegram",
           "whatsapp": "WhatsApp", "visit": "визит"},
    "uk": {"client": "клієнт", "dealer": "дилер", "supplier": "постачальник",
           "competitor": "конкурент", "partner": "партнер", "recommendation": "рекомендація",
           "website": "сайт", "exhibition": "виставка", "cold call": "холодний дзвінок",
           "advertising": "реклама", "social media": "соцмережі", "other": "інше",
           "call": "дзвінок", "sms": "SMS", "email": "пошта", "telegram": "Telegram",
           "whatsapp": "WhatsApp", "visit": "візит"},
}  # fmt: skip
"""The default choices as a Russian or Ukrainian reader says them; a team's own choices
(set in ``[plugins.contacts]``) show as they were written."""


def _labels(choices: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {
        language: {choice: words[choice] for choice in choices if choice in words}
        for language, words in CHOICE_WORDS.items()
    }


def _not_in_future(value: object) -> Text | None:
    """A birthday after today is a typo (a swapped day and month, a wrong year)."""
    return (
        _l("is in the future")
        if isinstance(value, str) and value > date.today().isoformat()
        else None
    )
