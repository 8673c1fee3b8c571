"""Loyalty: customer value, motivation segments, relationship strategy, next best actions.

Value from the customer's history (recency, frequency, money; repeat buyers first; profit
after the cost to serve), the four motivation segments and Buttle's seven strategies, each
with the reasons behind it, turned into actions for the rep within a contact cap. Other
plugins add their own classifiers. Its hooks are in :mod:`.hooks`, the module Rapport registers.
"""
