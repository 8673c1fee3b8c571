"""Adapters: thin plugins that bring Rapport to where people work (chat, spreadsheets)."""
