"""The use cases every adapter and plugin goes through to read and change data."""
