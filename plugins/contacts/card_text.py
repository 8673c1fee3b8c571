"""The customer card as plain text: what the console chat and a basic bot show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.services.cards import CustomerCard

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

TIMELINE_LINES = 10


def render_card(app: App, card: CustomerCard, language: str | None = None) -> str:
    customer = card.customer
    lines = [f"{customer.name} (#{customer.id}, {customer.kind.value}, {customer.status.value})"]
    if card.organisation:
        position = f", {customer.position}" if customer.position else ""
        lines.append(f"{card.organisation.name}{position}")
    lines += [f"☎ {phone}" for phone in customer.phones]
    lines += [f"✉ {email}" for email in customer.emails]
    if customer.address:
        lines.append(f"⌂ {customer.address}")
    if card.owner_name:
        lines.append(f"Owner: {card.owner_name}")
    for spec in app.registry.fields_for("customer"):
        value = customer.fields.get(spec.name)
        if value not in (None, "", []):
            lines.append(f"{spec.label_for(language)}: {spec.show(value, language)}")
    facts = card.facts
    if facts.last_contact_at:
        lines.append(f"Last contact: {facts.last_contact_at:%Y-%m-%d}")
    if facts.last_won_deal and facts.last_won_deal.closed_at:
        won = facts.last_won_deal
        lines.append(
            f"Last won: {won.title}, {won.amount} {won.currency}, {won.closed_at:%Y-%m-%d}"
        )
    if facts.open_deals:
        amounts = ", ".join(
            f"{amount} {currency}" for currency, amount in facts.open_amount.items()
        )
        lines.append(f"Open deals: {facts.open_deals} ({amounts})")
    if card.contact_persons:
        lines.append("People: " + ", ".join(p.name for p in card.contact_persons))
    for section in card.sections:
        lines.append(f"— {section.title} —")
        lines += list(section.lines)
    if card.timeline:
        lines.append("— History —")
        for entry in card.timeline[:TIMELINE_LINES]:
            detail = f": {entry.detail}" if entry.detail else ""
            lines.append(f"{entry.at:%Y-%m-%d} {entry.title}{detail}")
    return "\n".join(lines)
