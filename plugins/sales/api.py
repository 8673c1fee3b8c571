"""The sales plugin's public API, for other plugins and adapters: deal lines, approvals,
plans and win chances.

Deals themselves are the core's (``rapport.api.create_deal``, ``move_deal``...); this
plugin adds what a deal is made of (products, quantities and prices, whose total less
the discount becomes the amount), the approvals a rep asks a manager for, the plans
facts are compared with, and each open deal's win chance learned from the closed ones
(``win_chance`` for the line a person reads, ``deal_score`` and ``scores_of`` for the
figures). The rest of the plugin is internal.
"""

from rapport.plugins.sales.approvals import (
    Approval,
    decide,
    pending_requests,
    request_discount,
    request_reassignment,
)
from rapport.plugins.sales.lines import (
    DealLine,
    add_deal_line,
    lines_of,
    remove_deal_line,
    set_deal_lines,
)
from rapport.plugins.sales.plans import Period, PlanLine, parse_period, plan_vs_fact, set_plan
from rapport.plugins.sales.score_words import win_chance
from rapport.plugins.sales.scores import DealScore, deal_score, recalculate_scores, scores_of
from rapport.plugins.sales.scoring import Reason

__all__ = [
    "Approval",
    "DealLine",
    "DealScore",
    "Period",
    "PlanLine",
    "Reason",
    "add_deal_line",
    "deal_score",
    "decide",
    "lines_of",
    "parse_period",
    "pending_requests",
    "plan_vs_fact",
    "recalculate_scores",
    "remove_deal_line",
    "request_discount",
    "request_reassignment",
    "scores_of",
    "set_deal_lines",
    "set_plan",
    "win_chance",
]
