"""The sales rules every channel obeys, as ``validate_change`` answers."""

from __future__ import annotations

from rapport.core.extensions import ProposedChange
from rapport.plugins.sales.options import SalesOptions


def check_deal(options: SalesOptions, change: ProposedChange) -> str | None:
    if change.entity != "deal":
        return None
    after = change.after
    if after.get("status") == "lost" and change.action in ("move", "create"):
        reason = (after.get("lost_reason") or "").strip().casefold()
        if not reason and options.require_lost_reason:
            return f"say why it was lost ({', '.join(options.lost_reasons)})"
        if reason and not any(reason.startswith(known) for known in options.lost_reasons):
            return f"{reason!r} is not a lost reason; use one of: {', '.join(options.lost_reasons)}"
    changed = change.changed
    if "fields.discount_percent" in changed and change.actor.user_id is not None:
        percent = after.get("fields.discount_percent") or 0
        limit = options.discount_limit(change.actor.role)
        if percent > limit:
            return (
                f"a {percent:g}% discount is above your limit of {limit:g}%: "
                "request it, and a manager will approve it"
            )
    return None
