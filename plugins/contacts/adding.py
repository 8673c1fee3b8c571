"""``/newcustomer ООО Ромашка``: a customer added by name from any chat, after the
duplicate check; when it fires, the likely duplicates are offered to open, and a
customer added anyway comes with a one-tap merge into each of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import texts_for
from rapport.plugins.contacts.duplicates import PossibleDuplicates, add_customer, find_duplicates
from rapport.plugins.contacts.upkeep import field_and_value, field_key, field_patch

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)
ANYWAY = "!"
"""Written before the name (``/newcustomer !Ромашка``): added although it looks like
another record, because the person saw the duplicates and said so."""
SEPARATOR = ";"
"""Between the name and each field given with it."""
BUTTON_LINE_BYTES = 60
"""A button carries its command line in at most 64 bytes (Telegram), prefix included."""


def new_customer_line(name: str, *, anyway: bool = False) -> str:
    """The command that adds ``name`` (a question for the name when it would not fit a
    button)."""
    line = f"/newcustomer {ANYWAY if anyway else ''}{name.strip()}"
    return line if len(line.encode()) <= BUTTON_LINE_BYTES else "/newcustomer"


def newcustomer_command(request: CommandRequest) -> CommandReply:
    """``/newcustomer ООО Ромашка; phone +7 912 000-11-22; ИНН 7701234567``: the name,
    then any fields by name or label. A required field not given is asked for, and the
    answer completes the same line, so nothing typed so far is lost."""
    _ = texts(request.app, request.actor.language)
    typed = request.args.strip()
    anyway = typed.startswith(ANYWAY)
    name, *given = [part.strip() for part in typed.removeprefix(ANYWAY).split(SEPARATOR)]
    if not name:
        return CommandReply(
            _("The new customer's name? (/cancel to stop)"), completes="/newcustomer"
        )
    data = _data(request.app, name, given)
    missing = [spec for spec in request.app.registry.fields_for("customer")
               if spec.required and not data["fields"].get(spec.name)]  # fmt: skip
    if missing:
        label = missing[0].label_for(_.language)
        return CommandReply(
            _("{field} of «{name}»? It is required (/cancel to stop).", field=label, name=name),
            completes=f"/newcustomer {typed}{SEPARATOR} {missing[0].name}",
        )
    seen = find_duplicates(request.app, request.actor, data) if anyway else []
    try:
        customer = add_customer(request.app, request.actor, data, allow_duplicates=anyway)
    except PossibleDuplicates as found:
        lines = [_("This looks like a customer you already have:")]
        lines += [d.describe(_.language) for d in found.duplicates]
        lines.append(_("Open it, or add a new one anyway."))
        options = tuple(
            (_("Open #{id}", id=d.customer_id), f"/card {d.customer_id}")
            for d in found.duplicates[:5] if d.visible
        )  # fmt: skip
        add = (_("➕ Add anyway"), new_customer_line(typed.removeprefix(ANYWAY), anyway=True))
        return CommandReply("\n".join(lines), options=(*options, add))
    merges = tuple(
        (_("Merge into #{id}", id=d.customer_id), f"/merge {d.customer_id} {customer.id}")
        for d in seen[:5] if d.visible
    )  # fmt: skip
    return CommandReply(
        _("New customer added: {name} (#{id}).", name=customer.name, id=customer.id),
        options=((_("Card"), f"/card {customer.id}"), *merges),
    )


def _data(app: App, name: str, given: list[str]) -> dict[str, Any]:
    """The new record from its name and ``field value`` parts, read as ``/set`` reads them."""
    data: dict[str, Any] = {"name": name, "fields": {}}
    for part in given:
        if not part:
            continue
        word, value = field_and_value(app, part)
        patch = field_patch(field_key(app, word), value)
        data["fields"].update(patch.pop("fields", {}))
        data.update(patch)
    return data
