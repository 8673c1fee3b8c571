"""vCard 2.1, 3.0 and 4.0 as phones and mail programs export them, into plain rows.

Handles folded lines, quoted-printable values in any charset (Android exports Cyrillic
names that way), grouped properties (``item1.TEL``) and escaped separators.
"""

from __future__ import annotations

import codecs
import quopri
import re
from dataclasses import dataclass, field

from rapport.core.domain.errors import InvalidInput
from rapport.core.i18n import texts_for
from rapport.plugins.contacts.decoding import physical_lines

_l = texts_for(__file__).lazy

_PROPERTY = re.compile(r"^(?:[\w-]+\.)?(?P<name>[A-Za-z-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$")
COLUMNS = ("name", "organisation", "position", "phones", "emails", "address", "birthday", "notes")


@dataclass(frozen=True)
class Card:
    line: int
    values: dict[str, str]
    end: int = 0
    notes: tuple[str, ...] = ()
    """Guesses made reading it (an unknown charset, a card found inside another)."""
    problem: str | None = None


@dataclass
class _Open:
    start: int
    properties: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_vcards(text: str) -> list[Card]:
    """Every card in ``text``, in the order they begin. A card inside another (some phones
    export a contact's linked contact so) is a card of its own, and the outer one goes on
    after its END; a card never ended is refused on its own when there are others."""
    cards: list[Card] = []
    open_cards: list[_Open] = []
    number = 0
    for number, line in _unfolded(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            card = _Open(number)
            if open_cards:
                card.notes.append(f"a vCard inside the one on line {open_cards[-1].start}")
            open_cards.append(card)
            continue
        if upper == "END:VCARD":
            if open_cards:
                done = open_cards.pop()
                cards.append(Card(done.start, _row(done.properties), number, tuple(done.notes)))
            continue
        if not open_cards or not line.strip():
            continue
        match = _PROPERTY.match(line)
        if match is None:
            continue
        value, note = _decode(match["value"], match["params"] or "")
        open_cards[-1].properties.setdefault(match["name"].upper(), []).append(value)
        if note:
            open_cards[-1].notes.append(note)
    unended = [f"the vCard starting on line {card.start} has no END:VCARD" for card in open_cards]
    if unended and not cards:
        raise InvalidInput.one("file", unended[0])
    cards += [
        Card(c.start, {}, number, problem=why) for c, why in zip(open_cards, unended, strict=True)
    ]
    if not cards:
        raise InvalidInput.one("file", _l("no vCard (BEGIN:VCARD ... END:VCARD) found in the file"))
    return sorted(cards, key=lambda card: card.line)


def _unfolded(text: str) -> list[tuple[int, str]]:
    """Join continuation lines: a leading space (RFC 6350) or a quoted-printable soft break."""
    lines: list[tuple[int, str]] = []
    for number, ended in enumerate(physical_lines(text), 1):
        raw = ended.rstrip("\r\n")
        if lines and raw[:1] in (" ", "\t"):
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif lines and lines[-1][1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1][1].upper():
            lines[-1] = (lines[-1][0], lines[-1][1][:-1] + raw)
        else:
            lines.append((number, raw))
    return lines


def _decode(value: str, params: str) -> tuple[str, str | None]:
    """The value, and a note when its charset is unknown (it is then read as UTF-8)."""
    if "QUOTED-PRINTABLE" not in params.upper():
        return value, None
    found = re.search(r"CHARSET=([^;:]+)", params, re.IGNORECASE)
    charset = found.group(1).strip('"') if found else "utf-8"
    raw = quopri.decodestring(value.encode("ascii", "replace"))
    try:
        codecs.lookup(charset)
    except LookupError:
        return raw.decode("utf-8", "replace"), f"unknown charset {charset!r}: read as UTF-8"
    return raw.decode(charset, "replace"), None


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
    return {  # the keys are COLUMNS
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
