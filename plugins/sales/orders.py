"""A rep's order is a sale: "Order taken" at a visit becomes a won deal with its products,
so field orders reach revenue, RFM, plan vs fact and the product reports.

After the rep taps "Order taken", the bot asks which open deal it closes (one tap) or to
type ``/order 12 45000`` — or the products, ``/order 12 Кирпич М150 1000 45,50`` — which
records a new won deal. ``rapport do /order ...`` does the same from the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.command_lines import record_number
from rapport.core.domain.enums import Channel, StageOutcome
from rapport.core.domain.models import Deal
from rapport.core.extensions import CommandReply, CommandRequest, Notification
from rapport.core.i18n import texts_for
from rapport.core.services.customers import get_customer
from rapport.core.services.deals import create_deal, get_deal, list_deals, move_deal
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.lines import add_deal_line

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor
    from rapport.core.domain.models import Interaction

texts = texts_for(__file__)
ORDER_TAKEN = "order_taken"


def record_order(app: App, actor: Actor, customer_id: int, words: list[str]) -> Deal:
    """A won deal for the order: ``["45000"]`` is its amount, ``[product..., quantity,
    price]`` its one product line; all of it in one transaction, or nothing."""
    customer = get_customer(app, actor, customer_id)
    title = f"{texts(app, actor.language)('Order')} {app.clock():%d.%m.%Y} — {customer.name}"
    with UnitOfWork(app) as uow:
        if len(words) == 1:
            deal = create_deal(app, actor, {"title": title[:200], "customer_id": customer_id,
                                            "amount": words[0]})  # fmt: skip
        else:
            deal = create_deal(app, actor, {"title": title[:200], "customer_id": customer_id})
            *name, quantity, price = words
            add_deal_line(app, actor, deal.id, " ".join(name), quantity, price)
        move_deal(app, actor, deal.id, "won")
        uow.commit()
    return get_deal(app, actor, deal.id)


def order_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    words = request.args.split()
    customer_id = record_number(words[0]) if words else None
    if customer_id is None or len(words) == 3 or len(words) < 2:
        return CommandReply(
            _(
                "Write: /order 12 45000, or the products: /order 12 Brick M150 1000 45.50 "
                "(12 is the customer)."
            )
        )
    deal = record_order(request.app, request.actor, customer_id, words[1:])
    return CommandReply(
        _(
            "Sale recorded: «{title}», {amount} {currency}.",
            title=deal.title,
            amount=deal.amount,
            currency=deal.currency,
        ),
        options=((_("Deal"), f"/deal {deal.id}"),),
    )


async def ask_for_the_order(app: App, interaction: Interaction, actor: Actor) -> None:
    """Right after "Order taken" in the chat: close an open deal, or type the order."""
    if interaction.outcome != ORDER_TAKEN or actor.channel is not Channel.BOT:
        return
    if actor.user_id is None:
        return
    _ = texts(app, actor.language)
    open_deals = list_deals(
        app, actor, customer_id=interaction.customer_id, status=StageOutcome.OPEN, limit=5
    )
    options = tuple((f"🏆 {deal.title}"[:60], f"/move {deal.id} won") for deal in open_deals)
    text = _("Order taken: record it as a sale. Tap the deal it closes, or type "
             "/order {id} 45000 (or the products: /order {id} Brick M150 1000 45.50).",
             id=interaction.customer_id)  # fmt: skip
    await app.hooks.deliver_notification(app, Notification(actor.user_id, text, "order", options))
