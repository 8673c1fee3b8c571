"""Telegram's text rules: HTML-escaped user text, messages under 4096 characters."""

from __future__ import annotations

from html import escape

LIMIT = 4096


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Cut a long text into messages, at line breaks where possible, never mid-tag."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one enormous line: cut it, at a space if there is one
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            entity = line.rfind("&", cut - 8, cut)  # never cut "&amp;" in two
            if entity != -1 and ";" not in line[entity:cut]:
                cut = entity
            parts += [current] if current else []
            current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def plain(text: str) -> str:
    """Text from a plugin or a user, shown as it is (never as markup)."""
    return escape(text, quote=False)
