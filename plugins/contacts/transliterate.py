"""Russian and Ukrainian Cyrillic to Latin, so "Иванов" and "Ivanov" meet in one key."""

from __future__ import annotations

import re

_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_TABLE = str.maketrans(_LETTERS)
# Latin spellings people use for the same sounds, folded to the forms above.
_LATIN_VARIANTS = (("ja", "ya"), ("ju", "yu"), ("jo", "e"), ("yo", "e"), ("w", "v"), ("x", "ks"))
_LEGAL_FORMS = {
    "ooo", "oao", "zao", "pao", "ao", "ip", "tov", "pp", "llc", "ltd", "inc", "gmbh", "corp",
    "co", "plc", "sa", "ag",
}  # fmt: skip
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def search_key(text: str) -> str:
    """Lower-case Latin words without punctuation or legal forms ("ООО «Ромашка»" -> "romashka")."""
    latin = text.casefold().translate(_TABLE)
    for variant, canonical in _LATIN_VARIANTS:
        latin = latin.replace(variant, canonical)
    words = [w for w in _NOT_WORD.split(latin) if w and w not in _LEGAL_FORMS]
    return " ".join(words)
