"""Rapport's built-in plugins: ordinary plugins, registered like any third-party one."""
