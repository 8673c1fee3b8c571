"""Persistence: the shared declarative base, the core's tables, engines and migrations."""
