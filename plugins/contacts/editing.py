"""``/edit 12``: what can be changed on a customer, one tap each, and a question per field.

A tap on "Phone" answers with the current value and a question whose answer completes
``/set 12 phones``, so an edit from the card is the same use case (rights, validation,
other plugins' vetoes, the audit trail) as a typed ``/set``, and neither the bot nor the
console chat needs a dialog of its own. Tags and yearly dates ask for theirs the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.command_lines import record_and_rest
from rapport.core.domain.enums import FieldType
from rapport.core.domain.fields import FieldSpec
from rapport.core.explain import field_label
from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.customers import get_customer
from rapport.plugins.contacts.upkeep import field_key

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.models import Customer

texts = texts_for(__file__)
CORE_FIELDS = ("name", "phones", "emails", "position", "address")
"""The record's own fields offered first, in the order a rep thinks of them."""


def edit_command(request: CommandRequest) -> CommandReply:
    """``/edit 12`` lists the fields as choices; ``/edit 12 phone`` asks for the new phone."""
    _ = texts(request.app, request.actor.language)
    customer_id, word = record_and_rest(request.args)
    if customer_id is None:
        return CommandReply(_("Write: /edit 12 (12 is the customer)."))
    customer = get_customer(request.app, request.actor, customer_id)
    if not word.strip():
        return CommandReply(
            _("What to change on {name}?", name=customer.name),
            options=_choices(request.app, customer, _),
        )
    return _question(request.app, customer, field_key(request.app, word), _)


def _choices(app: App, customer: Customer, _: Translator) -> tuple[tuple[str, str], ...]:
    fields = [
        (field_label(app, key, _.language), f"/edit {customer.id} {key}") for key in CORE_FIELDS
    ]
    fields += [
        (spec.label_for(_.language), f"/edit {customer.id} {spec.name}")
        for spec in app.registry.fields_for("customer")
    ]
    fields += [
        (_("Tags"), f"/tag {customer.id}"),
        (_("A date to remember"), f"/date {customer.id}"),
    ]
    return tuple((label[:1].upper() + label[1:], line) for label, line in fields)


def _question(app: App, customer: Customer, key: str, _: Translator) -> CommandReply:
    """The field's value now and what to type; a choice field offers its choices as taps."""
    label = field_label(app, key, _.language)
    name = key.removeprefix("fields.")
    spec = next((s for s in app.registry.fields_for("customer") if s.name == name), None)
    now = _shown(customer, key, spec, _.language) or "—"
    lines = [_("{field} of {name}: {now}.", field=label, name=customer.name, now=now)]
    options: tuple[tuple[str, str], ...] = ()
    if spec is not None and spec.choices:
        choices = ", ".join(spec.choice_label(c, _.language) for c in spec.choices)
        lines.append(_("One of: {choices}.", choices=choices))
        if spec.type is FieldType.CHOICE:
            options = tuple(
                (spec.choice_label(c, _.language), f"/set {customer.id} {name} {c}")
                for c in spec.choices
            )
        else:
            lines.append(_("Several: separate them with commas."))
    elif key in ("phones", "emails"):
        lines.append(_("Several: separate them with commas."))
    lines.append(_("Type the new value (a dash clears it; /cancel to stop)."))
    return CommandReply("\n".join(lines), options=options, completes=f"/set {customer.id} {name}")


def _shown(customer: Customer, key: str, spec: FieldSpec | None, language: str) -> str:
    if spec is not None:
        return spec.show(customer.fields.get(spec.name), language)
    value = getattr(customer, key)
    return ", ".join(value) if isinstance(value, list) else str(value or "")
