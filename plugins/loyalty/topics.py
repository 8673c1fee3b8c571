"""What a call or visit was about (price, new products, joint work, a complaint...): the
topic the motivation rules read. Right after a rep logs one in the chat, they are asked
with one tap per topic; ``/topic 57 price`` sets it from any channel later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.command_lines import record_and_rest
from rapport.core.domain.enums import Channel, FieldType, InteractionKind
from rapport.core.domain.fields import FieldSpec
from rapport.core.extensions import CommandReply, CommandRequest, Notification
from rapport.core.i18n import texts_for
from rapport.core.services.interactions import update_interaction
from rapport.plugins.loyalty.signals import TOPICS

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor
    from rapport.core.domain.models import Interaction

texts = texts_for(__file__)
ASKED_AFTER = frozenset({InteractionKind.CALL, InteractionKind.VISIT, InteractionKind.MEETING})
TOPIC_FIELD = FieldSpec(
    entity="interaction", name="topic", type=FieldType.CHOICE, label="Topic",
    labels={"ru": "Тема", "uk": "Тема"}, choices=TOPICS,
    choice_labels={
        "en": {"price": "price", "new_products": "new products", "joint_work": "joint work",
               "complaint": "complaint", "service": "service", "other": "other"},
        "ru": {"price": "цена", "new_products": "новинки", "joint_work": "совместная работа",
               "complaint": "жалоба", "service": "сервис", "other": "другое"},
        "uk": {"price": "ціна", "new_products": "новинки", "joint_work": "спільна робота",
               "complaint": "скарга", "service": "сервіс", "other": "інше"},
    },
    help="What the customer talked about: it tells their motivation apart.",
)  # fmt: skip


async def ask_topic(app: App, interaction: Interaction, actor: Actor) -> None:
    """A rep who just logged a call or visit in the chat taps what it was about."""
    if actor.channel is not Channel.BOT or actor.user_id is None:
        return
    if interaction.kind not in ASKED_AFTER or interaction.fields.get("topic"):
        return
    _ = texts(app, actor.language)
    options = tuple(
        (TOPIC_FIELD.choice_label(topic, _.language), f"/topic {interaction.id} {topic}")
        for topic in TOPICS
    )
    question = _("What was it about?")
    await app.hooks.deliver_notification(
        app, Notification(actor.user_id, question, "topic", options)
    )


def topic_command(request: CommandRequest) -> CommandReply:
    """``/topic 57 price`` (or the topic in the reader's language: ``/topic 57 цена``)."""
    _ = texts(request.app, request.actor.language)
    interaction_id, topic = record_and_rest(request.args)
    if interaction_id is None or not topic.strip():
        return CommandReply(_("Write: /topic 57 price (57 is the call or visit)."))
    done = update_interaction(
        request.app, request.actor, interaction_id, {"fields": {"topic": topic.strip()}}
    )
    shown = TOPIC_FIELD.choice_label(str(done.fields["topic"]), _.language)
    return CommandReply(_("Noted: it was about {topic}.", topic=shown))
