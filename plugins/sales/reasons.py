"""Why deals are lost, in the reader's words: the stored reason stays the team's key
(``price``), shown and accepted as the reader says it ("цена", "дорого", "ціна")."""

from __future__ import annotations

from rapport.core.i18n import Translator, texts_for
from rapport.core.services.users import LANGUAGES

texts = texts_for(__file__)


def _words(_: Translator) -> dict[str, tuple[str, ...]]:
    """Each default reason's label first, then other ways of saying it."""
    return {"price": (_("price"), _("expensive")), "competitor": (_("competitor"),),
            "no budget": (_("no budget"),), "no decision": (_("no decision"),),
            "timing": (_("timing"), _("not now")), "requirements": (_("requirements"),),
            "other": (_("other"),)}  # fmt: skip


def reason_label(_: Translator, key: str) -> str:
    """A reason as the reader says it; a team's own reason as the team wrote it."""
    return _words(_).get(key, (key,))[0]


def reason_key(typed: str) -> str:
    """``typed`` with a reason said in any language turned into its key ("дорого, ушли"
    becomes "price, ушли"); anything else as typed, for the sales rule to judge."""
    text = typed.strip()
    folded = text.casefold()
    for language in LANGUAGES:
        for key, words in _words(Translator(language, texts.locales)).items():
            for word in sorted(words, key=len, reverse=True):
                if folded.startswith(word.casefold()):
                    return key + text[len(word) :]
    return text


def reason_text(_: Translator, stored: str) -> str:
    """A stored reason as the reader says it: "price, they went to Stroymarket" reads
    "цена, они ушли…" for a Russian reader; a reason starting with no key is as typed."""
    folded = stored.casefold()
    for key in sorted(_words(_), key=len, reverse=True):
        rest = stored[len(key) :]
        if folded.startswith(key) and (not rest or not rest[0].isalnum()):
            return reason_label(_, key) + rest
    return stored
