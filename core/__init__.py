"""Rapport's core: domain, persistence, services, settings and the plugin contract.

Internal: plugins import what they may use from :mod:`rapport` and :mod:`rapport.api`.
"""
