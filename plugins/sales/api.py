"""The sales plugin's public API, for other plugins: deal lines, approvals and plans.

Deals themselves are the core's (``rapport.api.create_deal``, ``move_deal``...); this
plugin adds what a deal is made of (products, quantities and prices, whose total less
the discount becomes the amount), the approvals a rep asks a manager for, and the plans
facts are compared with. The rest of the plugin is internal.
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

__all__ = [
    "Approval",
    "DealLine",
    "Period",
    "PlanLine",
    "add_deal_line",
    "decide",
    "lines_of",
    "parse_period",
    "pending_requests",
    "plan_vs_fact",
    "remove_deal_line",
    "request_discount",
    "request_reassignment",
    "set_deal_lines",
    "set_plan",
]
