"""Bytes of an imported file into text: every byte decodes, and mixed files line by line.

Russian Excel saves in Windows-1251, everything else in UTF-8, and a file pasted together
from both is common: so a UTF-8 file is read line by line, a line that is not UTF-8 is read
as Windows-1251, and those lines are named for the report (a wrong guess there is visible,
instead of a whole file of «Р•С‰С‘»). Windows-1251 leaves byte 0x98 undefined; it becomes
U+FFFD rather than an error, since no file may stop the import by its bytes alone.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field

from rapport.core.domain.errors import InvalidInput
from rapport.core.i18n import texts_for

_l = texts_for(__file__).lazy

FALLBACK = "cp1251"
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
"""Where lines end, as ``io.StringIO(text, newline="")`` (the CSV reader) splits them, so a
line number here is the reader's line number."""
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    fallback_lines: list[int] = field(default_factory=list)
    """Lines (from 1) of a UTF-8 file that were not UTF-8 and were read as Windows-1251."""


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Read ``data`` as ``encoding`` if given, else by its byte order mark, else as UTF-8
    with a per-line fallback to Windows-1251."""
    if encoding:
        try:
            return Decoded(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InvalidInput.one(
                "file",
                _l("cannot be read as {encoding}: {problem}", encoding=encoding, problem=str(exc)),
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(name, "replace"), name)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _line_by_line(data)


def physical_lines(text: str) -> list[str]:
    """The lines of ``text`` with their line ends, as the CSV reader and :data:`LINE_BREAK`
    count them (``str.splitlines`` also breaks on form feeds and U+2028)."""
    return io.StringIO(text, newline="").readlines()


def _line_by_line(data: bytes) -> Decoded:
    parts = LINE_BREAK.split(data)
    breaks = [m.group().decode("ascii") for m in LINE_BREAK.finditer(data)] + [""]
    texts: list[str] = []
    fallback: list[int] = []
    any_utf8 = False
    for number, part in enumerate(parts, 1):
        try:
            texts.append(part.decode("utf-8"))
            any_utf8 = any_utf8 or not part.isascii()
        except UnicodeDecodeError:
            texts.append(part.decode(FALLBACK, "replace"))
            fallback.append(number)
    text = "".join(t + b for t, b in zip(texts, breaks, strict=True))
    if not any_utf8:
        return Decoded(text, FALLBACK)  # a Windows-1251 file through and through
    return Decoded(text, "utf-8", fallback)
