"""A deal's products from the chat: ``/products 12``, ``/product 12 Кирпич 1000 45,50``,
``/unproduct 12 2``; the deal's amount follows its lines (less its discount)."""

from __future__ import annotations

from rapport.core.command_lines import record_number
from rapport.core.domain.models import Deal
from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.deals import get_deal
from rapport.plugins.sales.lines import (
    DealLine,
    add_deal_line,
    line_text,
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
    if deal_id is None or len(words) < 4:
        return CommandReply(
            _("Write: /product 12 Brick M150 1000 45.50 (deal, product, how many, price).")
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
    shown = [f"{deal.title} (#{deal.id})"]
    shown += [f"{n}. {line_text(line)} = {line.total}" for n, line in enumerate(lines, 1)]
    if not lines:
        shown.append(_("No products yet."))
    shown.append(_("Amount: {amount} {currency}", amount=deal.amount, currency=deal.currency))
    return CommandReply("\n".join(shown), options=((_("Deal"), f"/deal {deal.id}"),))
