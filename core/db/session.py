"""The session every unit of work uses.

A record id comes from people (a command typed in the bot, an ID cell in the sheet, a
CLI argument, a plugin's call) and ids are 64-bit in both databases: a larger number
would make SQLite and psycopg raise ``OverflowError`` deep in a query. No such record can
exist, so looking one up finds nothing, and the caller says "No customer #...".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rapport.core.domain.values import MAX_ID


class RapportSession(Session):
    def get(self, entity: Any, ident: Any, **options: Any) -> Any:
        if isinstance(ident, int) and not isinstance(ident, bool) and not 0 < ident <= MAX_ID:
            return None
        return super().get(entity, ident, **options)
