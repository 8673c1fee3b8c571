"""Contacts: one clean customer base, segmented the team's own way.

Fields a CRM needs on every customer, tags, significant dates and their reminders,
segments as saved filters, duplicate detection, fuzzy search in Latin and Cyrillic,
CSV and vCard import, CSV export. The hooks it implements are its public API.
"""

from rapport.plugins.contacts.hooks import (
    after_customers_merged,
    customer_card_sections,
    register_cli_commands,
    register_commands,
    register_fields,
    register_jobs,
    register_migrations,
)

__all__ = [
    "after_customers_merged",
    "customer_card_sections",
    "register_cli_commands",
    "register_commands",
    "register_fields",
    "register_jobs",
    "register_migrations",
]
