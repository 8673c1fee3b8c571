"""The segment language: parse ``turnover > 1 000 000 and region = North`` into a tree.

Keywords work in English and Russian/Ukrainian (``and``/``и``/``і``, ``or``/``или``/``або``,
``not``/``не``, ``in``, ``is empty``/``пусто``). A value runs up to the next keyword, so
``region = North West`` and ``turnover > 1 000 000`` need no quotes; quotes ("..." or
«...») keep a keyword inside a value. Errors name the position and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport.core.domain.errors import InvalidInput, Text
from rapport.core.i18n import texts_for

_l = texts_for(__file__).lazy

AND = {"and", "и", "і", "та"}
OR = {"or", "или", "або"}
NOT = {"not", "не"}
IN = {"in"}
IS = {"is"}
EMPTY = {"empty", "пусто", "пусте", "пустое"}
OPERATORS = ("!=", ">=", "<=", "=", ">", "<", "~")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<quoted>"[^"]*"|'[^']*'|«[^»]*»)
      | (?P<op>!=|>=|<=|=|>|<|~)
      | (?P<punct>[(),])
      | (?P<word>[^\s()=!<>~,"'«]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int

    def keyword(self, words: set[str]) -> bool:
        return self.kind == "word" and self.text.casefold() in words


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str  # one of OPERATORS, "in" or "empty"
    values: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class AllOf:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    item: Filter


Filter = Condition | AllOf | AnyOf | Not


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _error(
                text, position, _l("unexpected {char}", char=repr(text[position:].strip()[:1]))
            )
        kind = match.lastgroup or "word"
        value = match.group(kind)
        start = match.start(kind)
        tokens.append(Token(kind, value[1:-1] if kind == "quoted" else value, start))
        position = match.end()
    return tokens


def parse(text: str) -> Filter:
    if not text.strip():
        raise InvalidInput.one("expression", _l("is empty: write e.g. region = North"))
    parser = _Parser(text, tokenize(text))
    tree = parser.expression()
    if parser.peek() is not None:
        token = parser.peek()
        assert token is not None
        raise _error(
            text,
            token.position,
            _l("expected 'and' or 'or' before {token}", token=repr(token.text)),
        )
    return tree


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text, self.tokens, self.at = text, tokens, 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise _error(self.text, len(self.text), _l("the expression ends too early"))
        self.at += 1
        return token

    def expression(self) -> Filter:
        items = [self.term()]
        while (token := self.peek()) is not None and token.keyword(OR):
            self.take()
            items.append(self.term())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def term(self) -> Filter:
        items = [self.factor()]
        while (token := self.peek()) is not None and token.keyword(AND):
            self.take()
            items.append(self.factor())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def factor(self) -> Filter:
        token = self.take()
        if token.keyword(NOT):
            return Not(self.factor())
        if token.kind == "punct" and token.text == "(":
            inner = self.expression()
            closing = self.peek()
            if closing is None or closing.text != ")":
                raise _error(self.text, token.position, _l("this '(' is never closed"))
            self.take()
            return inner
        if token.kind not in ("word", "quoted"):
            raise _error(
                self.text,
                token.position,
                _l("expected a field name, found {token}", token=repr(token.text)),
            )
        return self.condition(token)

    def condition(self, field: Token) -> Condition:
        token = self.take()
        if token.kind == "op":
            return Condition(field.text, token.text, (self.value(token),), field.position)
        if token.keyword(IN):
            return Condition(field.text, "in", self.value_list(token), field.position)
        if token.keyword(IS):
            following = self.peek()
            negate = following is not None and following.keyword(NOT)
            if negate:
                self.take()
            empty = self.take()
            if not empty.keyword(EMPTY):
                raise _error(self.text, empty.position, _l("expected 'empty' after 'is'"))
            condition = Condition(field.text, "empty", (), field.position)
            return Condition(field.text, "not empty", (), field.position) if negate else condition
        if token.keyword(EMPTY):
            return Condition(field.text, "empty", (), field.position)
        raise _error(
            self.text,
            token.position,
            _l("expected an operator (= != > >= < <= ~ in) after {field}", field=repr(field.text)),
        )

    def value(self, after: Token) -> str:
        words: list[str] = []
        while (token := self.peek()) is not None:
            if token.kind == "quoted" and not words:
                self.take()
                return token.text
            if token.kind != "word" or token.keyword(AND | OR):
                break
            words.append(self.take().text)
        if not words:
            raise _error(
                self.text,
                after.position + len(after.text),
                _l("expected a value after {token}", token=repr(after.text)),
            )
        return " ".join(words)

    def value_list(self, after: Token) -> tuple[str, ...]:
        opening = self.take()
        if opening.text != "(":
            raise _error(self.text, opening.position, _l("write the values in brackets: in (a, b)"))
        values = []
        while True:
            words = []
            while (token := self.peek()) is not None and token.kind in ("word", "quoted"):
                words.append(self.take().text)
            if not words:
                raise _error(self.text, after.position, _l("expected a value in the list"))
            values.append(" ".join(words))
            token = self.take()
            if token.text == ")":
                return tuple(values)
            if token.text != ",":
                raise _error(self.text, token.position, _l("separate the values with commas"))


def _error(text: str, position: int, message: Text) -> InvalidInput:
    where = _l(
        "{message} (at character {position} of {text})",
        message=message,
        position=position + 1,
        text=repr(text),
    )
    return InvalidInput.one("expression", where)
