"""Tasks: follow-ups tied to customers and deals, reminders delivered once, time audit.

Due dates in words (Russian, Ukrainian, English), repeating tasks, reminders and a
morning digest through whichever adapter the user has, automatic tasks from other
plugins' events, and the cost of each customer. The hooks it implements are its API.

Its hooks are in :mod:`.hooks`, the module Rapport registers.
"""
