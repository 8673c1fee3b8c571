"""The sales rules every channel obeys, as ``validate_change`` answers."""

from __future__ import annotations

from rapport.core.domain.errors import Text
from rapport.core.extensions import Hold, ProposedChange
from rapport.core.i18n import texts_for
from rapport.plugins.sales.options import SalesOptions

_l = texts_for(__file__).lazy


def check_deal(options: SalesOptions, change: ProposedChange) -> Text | Hold | None:
    if change.entity != "deal":
        return None
    after = change.after
    if after.get("status") == "lost" and change.action in ("move", "create"):
        reason = (after.get("lost_reason") or "").strip().casefold()
        known = ", ".join(options.lost_reasons)
        if not reason and options.require_lost_reason:
            return _l("say why it was lost ({reasons})", reasons=known)
        if reason and not any(reason.startswith(word) for word in options.lost_reasons):
            return _l("{reason} is not a lost reason; use one of: {reasons}",
                      reason=repr(reason), reasons=known)  # fmt: skip
    if "fields.discount_percent" in change.changed and change.actor.user_id is not None:
        percent = float(after.get("fields.discount_percent") or 0)
        limit = options.discount_limit(change.actor.role)
        if percent > limit:
            reason = _l(
                "a {percent}% discount is above your limit of {limit}%, so it was sent "
                "to a manager for approval",
                percent=f"{percent:g}",
                limit=f"{limit:g}",
            )
            return Hold(reason, "discount", {"discount_percent": percent})  # fmt: skip
    return None
