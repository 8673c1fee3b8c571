"""A win chance in the reader's words: "Win chance: 64% — source: exhibition, 62% of such
deals won (+)". Scores are stored as factor keys and values; the words (stage names,
choice labels, people's names, amount bands) are chosen when someone reads them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rapport.core.domain.actor import Actor
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.users import list_users
from rapport.core.words import number, stage_word
from rapport.core.words import texts as core_texts
from rapport.plugins.sales.scores import BANDS, DealScore, deal_score, visible_scores
from rapport.plugins.sales.scoring import Reason

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)


def chance_line(app: App, score: DealScore, language: str, *, short: bool = False) -> str:
    """``Win chance: 64% — …``: the full reasons, or (``short``) just the factors and signs."""
    _ = texts(app, language)
    return _("Win chance: {percent}%", percent=score.percent) + why(app, score, language, short)


def why(app: App, score: DealScore, language: str, short: bool = False) -> str:
    """`` — source: exhibition, 62% of such deals won (+); …``, or '' with nothing to say."""
    _ = texts(app, language)
    if not score.learned:
        return " — " + _("the stage's probability (too few closed deals to learn from)")
    if not score.reasons:
        return ""
    words = _Words(app, language)
    parts = [words.reason(reason, short) for reason in score.reasons]
    return " — " + (", " if short else "; ").join(parts)


def chance_lines(app: App, actor: Actor, customer_id: int) -> list[str]:
    """The card's lines: ``Order (#12): win chance 64% — …`` per open deal the actor sees."""
    _ = texts(app, actor.language)
    language = _.language
    return [
        _("{title} (#{id}): win chance {percent}%", title=title, id=deal_id, percent=found.percent)
        + why(app, found, language)
        for deal_id, title, found in visible_scores(app, actor, customer_id)
    ]


class _Words:
    """The names a reason's value stands for, looked up once per reading."""

    def __init__(self, app: App, language: str) -> None:
        self.app, self.language = app, language
        self._ = texts(app, language)
        self._stages: dict[str, str] | None = None
        self._people: dict[str, str] | None = None

    def reason(self, reason: Reason, short: bool) -> str:
        _ = self._
        sign = "(+)" if reason.weight > 0 else "(−)"
        factor, value = self.factor(reason.factor), self.value(reason)
        if short:
            return f"{factor}: {value} {sign}"
        said = _("{factor}: {value}, {share}% of such deals won", factor=factor, value=value,
                 share=reason.share)  # fmt: skip
        return f"{said} {sign}"

    def factor(self, key: str) -> str:
        _ = self._
        names = {"stage": _("stage"), "source": _("source"), "industry": _("industry"),
                 "region": _("region"), "owner": _("owner"), "amount": _("amount")}  # fmt: skip
        return names.get(key, key)

    def value(self, reason: Reason) -> str:
        if reason.factor == "stage":
            return self.stages().get(reason.value, reason.value)
        if reason.factor == "owner":
            return self.people().get(reason.value, reason.value)
        if reason.factor == "amount":
            return self.band(reason.value)
        spec = self.app.registry.fields.get(("customer", reason.factor))
        return spec.choice_label(reason.value, self.language) if spec else reason.value

    def band(self, value: str) -> str:
        """``RUB:2`` → ``10,000–100,000 RUB``."""
        currency, _sep, index = value.partition(":")
        n = int(index)
        low = number(Decimal(BANDS[n - 1]), self.language) if n else ""
        high = number(Decimal(BANDS[n]), self.language) if n < len(BANDS) else ""
        if not low:
            return self._("under {high} {currency}", high=high, currency=currency)
        if not high:
            return self._("over {low} {currency}", low=low, currency=currency)
        return f"{low}–{high} {currency}"

    def stages(self) -> dict[str, str]:
        if self._stages is None:
            core: Translator = core_texts(self.app, self.language)
            self._stages = {
                str(stage.id): stage_word(core, stage.name)
                for pipeline in list_pipelines(self.app)
                for stage in pipeline.stages
            }
        return self._stages

    def people(self) -> dict[str, str]:
        if self._people is None:
            self._people = {str(user.id): user.display_name for user in list_users(self.app)}
        return self._people


def win_chance(
    app: App, actor: Actor, deal_id: int, language: str, *, short: bool = False
) -> str | None:
    """The deal's ``Win chance: …`` line for a person who may see it (None: not scored, or
    closed); a deal they may not see is ``NotFound``, as anywhere."""
    score = deal_score(app, actor, deal_id)
    return chance_line(app, score, language, short=short) if score is not None else None
