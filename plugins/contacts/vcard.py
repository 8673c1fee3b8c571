"""vCard 2.1, 3.0 and 4.0 as phones and mail programs export them, into plain rows.

Handles folded lines, quoted-printable values in any charset (Android exports Cyrillic
names that way), grouped properties (``item1.TEL``) and escaped separators.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass

from rapport.core.domain.errors import InvalidInput

_PROPERTY = re.compile(r"^(?:[\w-]+\.)?(?P<name>[A-Za-z-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$")


@dataclass(frozen=True)
class Card:
    line: int
    values: dict[str, str]


def parse_vcards(text: str) -> list[Card]:
    cards: list[Card] = []
    current: dict[str, list[str]] | None = None
    start = 0
    for number, line in _unfolded(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            current, start = {}, number
            continue
        if upper == "END:VCARD":
            if current is not None:
                cards.append(Card(start, _row(current)))
            current = None
            continue
        if current is None or not line.strip():
            continue
        match = _PROPERTY.match(line)
        if match is None:
            continue
        name = match["name"].upper()
        value = _decode(match["value"], match["params"] or "")
        current.setdefault(name, []).append(value)
    if current is not None:
        raise InvalidInput.one("file", f"the vCard starting on line {start} has no END:VCARD")
    if not cards:
        raise InvalidInput.one("file", "no vCard (BEGIN:VCARD ... END:VCARD) found in the file")
    return cards


def _unfolded(text: str) -> list[tuple[int, str]]:
    """Join continuation lines: a leading space (RFC 6350) or a quoted-printable soft break."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if lines and raw[:1] in (" ", "\t"):
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif lines and lines[-1][1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1][1].upper():
            lines[-1] = (lines[-1][0], lines[-1][1][:-1] + raw)
        else:
            lines.append((number, raw))
    return lines


def _decode(value: str, params: str) -> str:
    upper = params.upper()
    if "QUOTED-PRINTABLE" in upper:
        charset = re.search(r"CHARSET=([\w-]+)", params, re.IGNORECASE)
        raw = quopri.decodestring(value.encode("ascii", "replace"))
        value = raw.decode(charset.group(1) if charset else "utf-8", "replace")
    return value


def _split(value: str) -> list[str]:
    """Split a structured value on unescaped ';' and unescape the parts."""
    parts = re.split(r"(?<!\\);", value)
    return [p.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").strip() for p in parts]


def _row(properties: dict[str, list[str]]) -> dict[str, str]:
    def first(name: str) -> str:
        return properties.get(name, [""])[0]

    name = " ".join(_split(first("FN"))) or " ".join(
        p for p in reversed(_split(first("N"))[:2]) if p
    )
    return {
        "name": name,
        "organisation": _split(first("ORG"))[0] if first("ORG") else "",
        "position": " ".join(_split(first("TITLE"))),
        "phones": "; ".join(v.strip() for v in properties.get("TEL", []) if v.strip()),
        "emails": "; ".join(v.strip() for v in properties.get("EMAIL", []) if v.strip()),
        "address": ", ".join(p for p in _split(first("ADR")) if p),
        "birthday": _birthday(first("BDAY")),
        "notes": " ".join(_split(first("NOTE"))),
    }


def _birthday(value: str) -> str:
    digits = value.strip().replace("-", "")
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return ""  # year-less (--0512) or unreadable: a birthday needs a full date here
