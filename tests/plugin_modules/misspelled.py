"""A built-in plugin with a typo in a hook name: must stop start-up loudly."""

from rapport import hookimpl


@hookimpl
def after_custmer_created(customer):
    pass
