"""Telegram: the whole CRM from a chat, for reps in the field (aiogram 3).

A thin adapter: every rule lives in the core and the plugins, and every plugin's
commands appear in the bot by themselves. Its hooks are in :mod:`.hooks`, the module
Rapport registers.
"""
