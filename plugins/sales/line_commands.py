"""A deal's products from the chat: ``/products 12``, ``/product 12 Кирпич 1000 45,50``,
``/unproduct 12 2``; the deal's amount follows its lines (less its discount)."""

from __future__ import annotations

from rapport.core.command_lines import record_number
from rapport.core.domain.models import Deal
from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.deals import get_deal
from rapport.core.words import money, number
from rapport.plugins.sales.lines import (
    DealLine,
    add_deal_line,
    lines_of,
    remove_deal_line,
)

texts = texts_for(__file__)


def products_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    deal_id = record_number(request.args.split(maxsplit=1)[0] if request.args.strip() else "")
    if deal_id is None:
        return CommandReply(_("Write: /products 12 (12 is the deal)."))
    deal = get_deal(request.app, request.actor, deal_id)
    return _lines_reply(deal, lines_of(request.app, request.actor, deal_id), _)


def product_command(request: CommandRequest) -> CommandReply:
    """The product's name may have spaces: the last two words are the quantity and price."""
    _ = texts(request.app, request.actor.language)
    words = request.args.split()
    deal_id = record_number(words[0]) if words else None
    if deal_id is not None and len(words) == 1:
        deal = get_deal(request.app, request.actor, deal_id)
        return CommandReply(
            _("Which product on «{title}»? Type the product, how many and the price, "
              "e.g. Brick M150 1000 45.50 (/cancel to stop).", title=deal.title),
            completes=f"/product {deal_id}",
        )  # fmt: skip
    if deal_id is None or len(words) < 4:
        return CommandReply(
            _("Write: /product 12 Brick M150 1000 45.50 (deal, product, how many, price)."),
            completes=f"/product {deal_id}" if deal_id is not None else "",
        )
    *name, quantity, price = words[1:]
    deal, lines = add_deal_line(
        request.app, request.actor, deal_id, " ".join(name), quantity, price
    )
    return _lines_reply(deal, lines, _)


def unproduct_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    words = request.args.split()
    deal_id, number = (
        (record_number(words[0]), record_number(words[1])) if len(words) == 2 else (None, None)
    )
    if deal_id is None or number is None:
        return CommandReply(_("Write: /unproduct 12 2 (the deal, then the line's number)."))
    deal, lines = remove_deal_line(request.app, request.actor, deal_id, number)
    return _lines_reply(deal, lines, _)


def _lines_reply(deal: Deal, lines: list[DealLine], _: Translator) -> CommandReply:
    """The lines with their totals, a tap to add one or take one off, and the deal."""
    shown = [f"{deal.title} (#{deal.id})"]
    shown += [
        f"{n}. {line.product} — {number(line.quantity.normalize(), _.language)} × "
        f"{money(line.price, deal.currency, _.language)} = "
        f"{money(line.total, deal.currency, _.language)}"
        for n, line in enumerate(lines, 1)
    ]
    if not lines:
        shown.append(_("No products yet."))
    shown.append(_("Amount: {amount}", amount=money(deal.amount, deal.currency, _.language)))
    remove = tuple(
        (f"✖ {n}. {line.product[:40]}", f"/unproduct {deal.id} {n}")
        for n, line in enumerate(lines, 1)
    )
    options = (
        (_("➕ Add a product"), f"/product {deal.id}"),
        *remove,
        (_("Deal"), f"/deal {deal.id}"),
    )
    return CommandReply("\n".join(shown), options=options)
