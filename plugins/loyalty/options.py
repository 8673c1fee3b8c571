"""The loyalty plugin's settings, from ``[plugins.loyalty]`` in ``rapport.toml``.

Motivation thresholds split customers on two signals the domain names: how often they
contact us (contacts and requests in the window) and how often they order. The
thresholds must tile those axes exactly: a gap would leave customers unclassified and an
overlap would classify them twice, so both are refused at start with the numbers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport.core.domain.enums import InteractionKind
from rapport.core.settings import Settings, plugin_options

NAME = "loyalty"


class Motivation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet_contacts_max: int = Field(default=5, ge=0)
    busy_contacts_min: int = Field(default=6, ge=1)
    novelty_orders_max: int = Field(default=2, ge=0)
    belonging_orders_min: int = Field(default=3, ge=1)
    stability_orders_min: int = Field(default=3, ge=1)
    lowest_price_discount_share: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _tiles(self) -> Motivation:
        problems = []
        if self.busy_contacts_min <= self.quiet_contacts_max:
            problems.append(
                f"contacts overlap: {self.busy_contacts_min}..{self.quiet_contacts_max} would be "
                "both quiet and busy (busy_contacts_min must be quiet_contacts_max + 1)"
            )
        elif self.busy_contacts_min > self.quiet_contacts_max + 1:
            problems.append(
                f"contacts gap: {self.quiet_contacts_max + 1}..{self.busy_contacts_min - 1} "
                "contacts belong to no segment (busy_contacts_min must be quiet_contacts_max + 1)"
            )
        if self.belonging_orders_min <= self.novelty_orders_max:
            problems.append(
                f"orders overlap: {self.belonging_orders_min}..{self.novelty_orders_max} orders "
                "would be both novelty seeking and belonging"
            )
        elif self.belonging_orders_min > self.novelty_orders_max + 1:
            problems.append(
                f"orders gap: {self.novelty_orders_max + 1}..{self.belonging_orders_min - 1} "
                "orders of a busy customer belong to no segment"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Action(BaseModel):
    """What a strategy or segment asks of the rep; ``titles`` says it in other languages
    (a team's own action in ``rapport.toml`` may give them too)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    kind: str = "call"
    priority: str = "normal"
    titles: dict[str, str] = Field(default_factory=dict)

    def title_for(self, language: str | None) -> str:
        return self.titles.get(language or "", self.title)


def _default_actions() -> dict[str, tuple[Action, ...]]:
    def a(title: str, ru: str, uk: str, **extra: str) -> Action:
        return Action(title=title, titles={"ru": ru, "uk": uk}, **extra)

    return {
        "protect": (
            a("Key-account check-in call", "Звонок ключевому клиенту: как дела",
              "Дзвінок ключовому клієнту: як справи", priority="high"),
            a("Monitor service quality", "Проверить качество обслуживания",
              "Перевірити якість обслуговування", kind="other", priority="high"),
        ),
        "win_back": (
            a("Find out why they buy elsewhere, and make an offer",
              "Узнать, почему покупают у других, и сделать предложение",
              "Дізнатися, чому купують в інших, і зробити пропозицію",
              kind="visit", priority="urgent"),
        ),
        "enhance": (a("Offer complementary products (cross-sell, up-sell)",
                      "Предложить сопутствующие товары (кросс-продажи, допродажи)",
                      "Запропонувати супутні товари (крос-продажі, допродажі)"),),
        "harvest": (a("Keep in touch at minimum cost: news by e-mail",
                      "Поддерживать связь с минимальными затратами: новости по e-mail",
                      "Підтримувати зв'язок з мінімальними витратами: новини e-mail",
                      kind="email"),),
        "re_engineer": (a("Serve them a cheaper way (self-service)",
                          "Обслуживать дешевле (самообслуживание)",
                          "Обслуговувати дешевше (самообслуговування)", kind="other"),),
        "end": (a("Decide whether to keep serving them", "Решить, обслуживать ли дальше",
                  "Вирішити, чи обслуговувати далі", kind="other"),),
        "start": (a("Get the first impression right: welcome visit",
                    "Хорошее первое впечатление: приветственный визит",
                    "Добре перше враження: вітальний візит", kind="visit"),),
        "lowest_price": (a("Send current promotions automatically",
                           "Отправлять текущие акции автоматически",
                           "Надсилати поточні акції автоматично", kind="email"),),
        "novelty_seeker": (a("Tell them first about new products; ask about trends",
                             "Первыми рассказывать о новинках; спрашивать о трендах",
                             "Першими розповідати про новинки; питати про тренди"),),
        "belonging": (a("Ask their advice; invite them to joint planning",
                        "Спросить совета; пригласить к совместному планированию",
                        "Попросити поради; запросити до спільного планування",
                        kind="meeting"),),
        "stability": (a("Quietly check the quality of our service",
                        "Ненавязчиво проверить качество нашего сервиса",
                        "Ненав'язливо перевірити якість нашого сервісу", kind="other"),),
    }  # fmt: skip


class LoyaltyOptions(BaseModel):
    """``[plugins.loyalty]``: windows, weights, thresholds and the actions per strategy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_days: int = Field(default=180, ge=7)
    rfm_buckets: int = Field(default=5, ge=2, le=10)
    weights: dict[str, float] = Field(
        default_factory=lambda: {"recency": 0.25, "frequency": 0.45, "monetary": 0.30}
    )
    default_margin: float = Field(default=0.25, ge=0, le=1)
    key_share: float = Field(default=80.0, gt=0, le=100)
    at_risk_factor: float = Field(default=2.0, gt=1)
    new_customer_days: int = Field(default=90, ge=1)
    min_history: int = Field(default=3, ge=1)
    motivation: Motivation = Field(default_factory=Motivation)
    actions: dict[str, tuple[Action, ...]] = Field(default_factory=_default_actions)
    cap_contacts: int = Field(default=4, ge=1)
    cap_days: int = Field(default=14, ge=1)
    contact_kinds: tuple[InteractionKind, ...] = (
        InteractionKind.CALL, InteractionKind.VISIT, InteractionKind.MEETING,
        InteractionKind.MESSAGE, InteractionKind.EMAIL, InteractionKind.REQUEST,
    )  # fmt: skip
    """What counts as a contact with the customer (and toward the cap): not internal notes,
    photos or a check-in on arrival."""
    discount_segments: tuple[str, ...] = ("stability", "belonging")
    nightly_hour: int = Field(default=2, ge=0, le=23)

    @model_validator(mode="after")
    def _weights(self) -> LoyaltyOptions:
        if set(self.weights) != {"recency", "frequency", "monetary"}:
            raise ValueError("weights: give recency, frequency and monetary")
        if abs(sum(self.weights.values()) - 1) > 1e-6:
            raise ValueError("weights: recency + frequency + monetary must add up to 1")
        if self.weights["frequency"] <= self.weights["monetary"]:
            raise ValueError(
                "weights: frequency must weigh more than monetary (repeat buyers first)"
            )
        return self


def loyalty_options(settings: Settings) -> LoyaltyOptions:
    return plugin_options(settings, NAME, LoyaltyOptions)


def action_title(options: LoyaltyOptions, stored: str, language: str) -> str:
    """A profile's next action (stored in English, as its action's ``title``) in the
    reader's language; an action no longer configured reads as it was stored."""
    for actions in options.actions.values():
        for action in actions:
            if action.title == stored:
                return action.title_for(language)
    return stored
