"""Loyalty: customer value, motivation segments, relationship strategy, next best actions.

Value from the customer's history (recency, frequency, money; repeat buyers first; profit
after the cost to serve), the four motivation segments and Buttle's seven strategies, each
with the reasons behind it, turned into actions for the rep within a contact cap. Other
plugins add their own classifiers. The hooks it implements are its public API.
"""

from rapport.plugins.loyalty.hooks import (
    after_deal_lost,
    after_deal_won,
    after_interaction_logged,
    customer_card_sections,
    register_classifiers,
    register_cli_commands,
    register_fields,
    register_jobs,
    register_migrations,
    register_reports,
    register_sheet_columns,
)

__all__ = [
    "after_deal_lost",
    "after_deal_won",
    "after_interaction_logged",
    "customer_card_sections",
    "register_classifiers",
    "register_cli_commands",
    "register_fields",
    "register_jobs",
    "register_migrations",
    "register_reports",
    "register_sheet_columns",
]
