"""Contacts: one clean customer base, segmented the team's own way.

Fields a CRM needs on every customer, tags, significant dates and their reminders,
segments as saved filters, duplicate detection, fuzzy search in Latin and Cyrillic,
CSV and vCard import, CSV export. Its hooks are in :mod:`.hooks`, the module Rapport registers.
"""
