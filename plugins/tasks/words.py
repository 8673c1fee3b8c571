"""The tasks plugin's words in the reader's language (catalogues in ``locales/``)."""

from __future__ import annotations

from rapport.core.i18n import Translator, texts_for

texts = texts_for(__file__)


def kind_word(_: Translator, kind: str) -> str:
    """A task's (or a logged interaction's) kind as the reader says it ("call", "звонок")."""
    words = {"call": _("call"), "visit": _("visit"), "meeting": _("meeting"),
             "email": _("e-mail"), "document": _("document"), "presentation": _("presentation"),
             "service_request": _("service request"), "other": _("task"),
             "request": _("request"), "message": _("message"), "note": _("note")}  # fmt: skip
    return words.get(kind, kind)
