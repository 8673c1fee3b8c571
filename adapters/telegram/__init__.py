"""Telegram: the whole CRM from a chat, for reps in the field (aiogram 3).

A thin adapter: every rule lives in the core and the plugins, and every plugin's
commands appear in the bot by themselves. The hooks it implements are its public API.
"""

from rapport.adapters.telegram.hooks import (
    after_deal_stage_changed,
    after_deal_updated,
    after_deal_won,
    deliver_notification,
    register_cli_commands,
    register_fields,
    register_jobs,
    register_migrations,
    register_runners,
)

__all__ = [
    "after_deal_stage_changed",
    "after_deal_updated",
    "after_deal_won",
    "deliver_notification",
    "register_cli_commands",
    "register_fields",
    "register_jobs",
    "register_migrations",
    "register_runners",
]
