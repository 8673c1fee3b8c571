"""Sales: pipelines, deals with products, plan versus fact, funnel, forecast, bottlenecks.

The team's word for a sale, the lost reasons, the opportunity threshold and the
discount limits per role are settings; reports are computed in SQL with a PNG chart;
a customer's status follows its deals; large discounts and reassignments go to a
manager for approval. Its hooks are in :mod:`.hooks`, the module Rapport registers.
"""
