"""The contacts plugin's public API, for other plugins.

:func:`agreed_channels` says which channels a customer agreed to be contacted by (None:
never asked), so a plugin that plans a call or a visit respects it. :func:`find_duplicates`
names the stored customers a new one would probably duplicate (the check every channel
that adds customers makes). Tags, significant dates and search are offered too. The rest
of the plugin is internal.
"""

from rapport.plugins.contacts.consent import agreed_channels
from rapport.plugins.contacts.dates import add_date, dates_of, remove_date
from rapport.plugins.contacts.duplicates import Duplicate, find_duplicates
from rapport.plugins.contacts.search import search_customers
from rapport.plugins.contacts.tags import get_tags, set_tags

__all__ = [
    "Duplicate",
    "add_date",
    "agreed_channels",
    "dates_of",
    "find_duplicates",
    "get_tags",
    "remove_date",
    "search_customers",
    "set_tags",
]
