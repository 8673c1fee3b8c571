"""Tasks: follow-ups tied to customers and deals, reminders delivered once, time audit.

Due dates in words (Russian, Ukrainian, English), repeating tasks, reminders and a
morning digest through whichever adapter the user has, automatic tasks from other
plugins' events, and the cost of each customer. The hooks it implements are its API.
"""

from rapport.plugins.tasks.hooks import (
    after_customers_merged,
    after_deal_updated,
    after_deal_won,
    customer_card_sections,
    customer_metrics,
    customer_timeline,
    register_cli_commands,
    register_commands,
    register_fields,
    register_jobs,
    register_migrations,
    register_reports,
    register_sheet_columns,
)

__all__ = [
    "after_customers_merged",
    "after_deal_updated",
    "after_deal_won",
    "customer_card_sections",
    "customer_metrics",
    "customer_timeline",
    "register_cli_commands",
    "register_commands",
    "register_fields",
    "register_jobs",
    "register_migrations",
    "register_reports",
    "register_sheet_columns",
]
