"""Rapport's core: domain, persistence, services, settings and the plugin contract."""

from core.markers import hookimpl

__all__ = ["hookimpl"]
