"""A third-party rule that refuses tasks about one customer, for the isolation tests."""

from rapport import hookimpl


class RefusesTasksAbout:
    """A plugin's rule that refuses automatic tasks about one customer."""

    def __init__(self, customer_name):
        self.customer_name = customer_name
        self.customer_id = None

    @hookimpl
    def validate_change(self, change):
        if change.entity == "task" and change.after.get("customer_id") == self.customer_id:
            return f"no tasks about {self.customer_name}"
        return None
