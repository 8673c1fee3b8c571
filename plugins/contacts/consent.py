"""Which channels a customer agreed to be contacted by: the ``consent`` field, read once.

An empty field means nobody asked yet, so nothing is ruled out; once the customer said
"e-mail only", every plugin that plans a contact (a task, an automatic follow-up, the
loyalty plan) asks :func:`agreed_channels` first.
"""

from __future__ import annotations

from rapport.core.domain.models import Customer

FIELD = "consent"


def agreed_channels(customer: Customer) -> frozenset[str] | None:
    """The channels the customer agreed to (``{"email"}``), or None when never asked."""
    agreed = customer.fields.get(FIELD)
    if not agreed:
        return None
    return frozenset(str(channel) for channel in agreed)
