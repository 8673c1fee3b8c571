"""``/newcustomer ООО Ромашка``: a customer added by name from any chat, after the
duplicate check; when it fires, the likely duplicates are offered to open, and a
customer added anyway comes with a one-tap merge into each of them."""

from __future__ import annotations

from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import texts_for
from rapport.plugins.contacts.duplicates import PossibleDuplicates, add_customer, find_duplicates

texts = texts_for(__file__)
ANYWAY = "!"
"""Written before the name (``/newcustomer !Ромашка``): added although it looks like
another record, because the person saw the duplicates and said so."""
BUTTON_LINE_BYTES = 60
"""A button carries its command line in at most 64 bytes (Telegram), prefix included."""


def new_customer_line(name: str, *, anyway: bool = False) -> str:
    """The command that adds ``name`` (a question for the name when it would not fit a
    button)."""
    line = f"/newcustomer {ANYWAY if anyway else ''}{name.strip()}"
    return line if len(line.encode()) <= BUTTON_LINE_BYTES else "/newcustomer"


def newcustomer_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    typed = request.args.strip()
    anyway = typed.startswith(ANYWAY)
    name = typed.removeprefix(ANYWAY).strip()
    if not name:
        return CommandReply(
            _("The new customer's name? (/cancel to stop)"), completes="/newcustomer"
        )
    seen = find_duplicates(request.app, request.actor, {"name": name}) if anyway else []
    try:
        customer = add_customer(request.app, request.actor, {"name": name},
                                allow_duplicates=anyway)  # fmt: skip
    except PossibleDuplicates as found:
        lines = [_("This looks like a customer you already have:")]
        lines += [d.describe(_.language) for d in found.duplicates]
        lines.append(_("Open it, or add a new one anyway."))
        options = tuple(
            (_("Open #{id}", id=d.customer_id), f"/card {d.customer_id}")
            for d in found.duplicates[:5] if d.visible
        )  # fmt: skip
        add = (_("➕ Add anyway"), new_customer_line(name, anyway=True))
        return CommandReply("\n".join(lines), options=(*options, add))
    merges = tuple(
        (_("Merge into #{id}", id=d.customer_id), f"/merge {d.customer_id} {customer.id}")
        for d in seen[:5] if d.visible
    )  # fmt: skip
    return CommandReply(
        _("New customer added: {name} (#{id}).", name=customer.name, id=customer.id),
        options=((_("Card"), f"/card {customer.id}"), *merges),
    )
