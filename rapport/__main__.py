"""``python -m rapport``: the same as the ``rapport`` command."""

from rapport.core.cli import main

main()
