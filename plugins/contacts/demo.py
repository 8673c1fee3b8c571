"""The contacts plugin's part of ``rapport demo``: tags and the dates worth a call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.domain.enums import CustomerKind
from rapport.core.services.customers import list_customers
from rapport.plugins.contacts.dates import add_date
from rapport.plugins.contacts.tags import set_tags

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor


def load_demo(app: App, admin: Actor) -> None:
    organisations = [
        c for c in list_customers(app, admin, limit=100_000) if c.kind is CustomerKind.ORGANISATION
    ]
    for number, customer in enumerate(organisations):
        tags = ["vip"] if number % 7 == 0 else []
        tags += ["выставка 2026"] if number % 5 == 0 else []
        if tags:
            set_tags(app, admin, customer.id, add=tags)
        if number % 6 == 0:
            founded = f"{(number * 7) % 28 + 1:02d}.{number % 12 + 1:02d}.{2005 + number % 15}"
            add_date(app, admin, customer.id, "Годовщина компании", founded)
