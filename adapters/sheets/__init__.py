"""Sheets: two-way sync between Rapport and the managers' spreadsheet.

One engine (three-way merge through the service layer) and a backend per place the
sheet lives; the hooks it implements are its public API.

Its hooks are in :mod:`.hooks`, the module Rapport registers.
"""
