"""Sales: pipelines, deals with products, plan versus fact, funnel, forecast, bottlenecks.

The team's word for a sale, the lost reasons, the opportunity threshold and the
discount limits per role are settings; reports are computed in SQL with a PNG chart;
a customer's status follows its deals; large discounts and reassignments go to a
manager for approval. The hooks it implements are its public API.
"""

from rapport.plugins.sales.hooks import (
    after_customers_merged,
    after_deal_created,
    after_deal_stage_changed,
    after_deal_updated,
    register_cli_commands,
    register_commands,
    register_fields,
    register_migrations,
    register_reports,
    register_terms,
    startup,
    validate_change,
)

__all__ = [
    "after_customers_merged",
    "after_deal_created",
    "after_deal_stage_changed",
    "after_deal_updated",
    "register_cli_commands",
    "register_commands",
    "register_fields",
    "register_migrations",
    "register_reports",
    "register_terms",
    "startup",
    "validate_change",
]
