"""Sheets: two-way sync between Rapport and the managers' spreadsheet.

One engine (three-way merge through the service layer) and a backend per place the
sheet lives; the hooks it implements are its public API.
"""

from rapport.adapters.sheets.hooks import (
    register_cli_commands,
    register_commands,
    register_migrations,
    register_runners,
)

__all__ = ["register_cli_commands", "register_commands", "register_migrations", "register_runners"]
