"""A plugin implementing every hook, recording each call (test-only)."""

from rapport import hookimpl


class Recorder:
    """Records ``(hook, payload)`` for every hook; registration hooks register nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _add(self, hook: str, **payload) -> None:
        self.calls.append((hook, payload))

    @hookimpl
    def startup(self, app):
        self._add("startup")

    @hookimpl
    def shutdown(self, app):
        self._add("shutdown")

    @hookimpl
    def load_demo(self, app, admin):
        self._add("load_demo")

    @hookimpl
    def register_migrations(self, register):
        self._add("register_migrations")

    @hookimpl
    def register_fields(self, register, settings):
        self._add("register_fields")

    @hookimpl
    def register_terms(self, register, settings):
        self._add("register_terms")

    @hookimpl
    def register_commands(self, register):
        self._add("register_commands")

    @hookimpl
    def register_sheet_columns(self, register):
        self._add("register_sheet_columns")

    @hookimpl
    def register_jobs(self, register):
        self._add("register_jobs")

    @hookimpl
    def register_reports(self, register):
        self._add("register_reports")

    @hookimpl
    def register_cli_commands(self, register):
        self._add("register_cli_commands")

    @hookimpl
    def register_classifiers(self, register, settings):
        self._add("register_classifiers")

    @hookimpl
    def customer_metrics(self, customer_ids):
        self._add("customer_metrics", ids=list(customer_ids))

    @hookimpl
    def register_runners(self, register):
        self._add("register_runners")

    @hookimpl
    def validate_change(self, change):
        self._add("validate_change", entity=change.entity, action=change.action)

    @hookimpl
    def after_change_held(self, change, hold):
        self._add("after_change_held", entity=change.entity, kind=hold.kind)

    @hookimpl
    def after_customer_created(self, customer, actor):
        self._add("after_customer_created", name=customer.name, channel=actor.channel)

    @hookimpl
    def after_customer_updated(self, customer, changes):
        self._add("after_customer_updated", name=customer.name, changes=dict(changes))

    @hookimpl
    def after_customers_merged(self, kept, merged):
        self._add("after_customers_merged", kept=kept.id, merged=merged.id)

    @hookimpl
    def after_interaction_logged(self, interaction):
        self._add("after_interaction_logged", kind=interaction.kind)

    @hookimpl
    def after_deal_created(self, deal):
        self._add("after_deal_created", title=deal.title)

    @hookimpl
    def after_deal_updated(self, deal, changes, actor):
        self._add(
            "after_deal_updated", title=deal.title, changes=dict(changes), channel=actor.channel
        )

    @hookimpl
    def after_deal_stage_changed(self, deal, from_stage, to_stage):
        self._add("after_deal_stage_changed", stages=(from_stage.key, to_stage.key))

    @hookimpl
    def after_deal_won(self, deal, first_for_customer):
        self._add("after_deal_won", title=deal.title, first=first_for_customer)

    @hookimpl
    def after_deal_lost(self, deal, reason):
        self._add("after_deal_lost", title=deal.title, reason=reason)

    @hookimpl
    def after_task_due(self, task, late):
        self._add("after_task_due", task=dict(task), late=late)

    @hookimpl
    def customer_card_sections(self, customer):
        self._add("customer_card_sections", name=customer.name)

    @hookimpl
    def customer_timeline(self, customer):
        self._add("customer_timeline", name=customer.name)

    @hookimpl
    def deliver_notification(self, notification):
        self._add("deliver_notification", text=notification.text)
