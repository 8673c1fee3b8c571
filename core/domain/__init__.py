"""The core domain in plain Python: entities, commands, values and errors, with no I/O."""
