"""The loyalty plugin's public API, for other plugins: a customer's verdict and segment.

:func:`profile_of` answers what the plugin concluded about one customer (value score,
RFM, motivation segment, strategy, each verdict with its reasons), for someone allowed
to see that customer; :func:`segments_of` answers for many at once. The rest of the
plugin is internal.
"""

from rapport.plugins.loyalty.service import (
    LoyaltyProfile,
    override_segment,
    profile_of,
    recalculate,
    segments_of,
)

__all__ = ["LoyaltyProfile", "override_segment", "profile_of", "recalculate", "segments_of"]
