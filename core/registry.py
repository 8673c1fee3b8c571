"""What the plugins registered at start-up, gathered once and checked for clashes.

Adapters read fields, commands, columns, reports and runners from here; they never
call a ``register_*`` hook themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from rapport.core.domain.errors import FieldProblem, InvalidInput, _l, entity_word
from rapport.core.domain.fields import Entity, FieldSpec, FieldValue
from rapport.core.extensions import (
    Classifier,
    CommandSpec,
    JobSpec,
    ReportSpec,
    RunnerSpec,
    SheetColumn,
    Term,
)
from rapport.core.hooks import Hooks
from rapport.core.services.fields import STORED, stored_fields, stored_fields_marker
from rapport.core.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Registry:
    fields: dict[tuple[Entity, str], FieldSpec] = field(default_factory=dict)
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)
    sheet_columns: list[SheetColumn] = field(default_factory=list)
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    reports: dict[str, ReportSpec] = field(default_factory=dict)
    runners: dict[str, RunnerSpec] = field(default_factory=dict)
    classifiers: dict[str, Classifier] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    _stored_marker: tuple[int, int] | None = None

    @classmethod
    def collect(cls, hooks: Hooks, settings: Settings) -> Registry:
        registry = cls()
        declared = [FieldSpec(**spec.model_dump(), owner="settings") for spec in settings.fields]
        registry._add_all(
            registry.fields,
            declared + hooks.register_fields(settings),
            lambda s: (s.entity, s.name),
        )
        registry._add_all(registry.terms, hooks.register_terms(settings), lambda t: t.key)
        registry._add_all(registry.commands, hooks.register_commands(), lambda c: c.name)
        registry._add_all(registry.jobs, hooks.register_jobs(), lambda j: j.id)
        registry._add_all(registry.reports, hooks.register_reports(), lambda r: r.id)
        registry._add_all(registry.runners, hooks.register_runners(), lambda r: r.name)
        registry._add_all(
            registry.classifiers, hooks.register_classifiers(settings), lambda c: c.key
        )
        registry.sheet_columns = hooks.register_sheet_columns()
        return registry

    def _add_all(self, into: dict[Any, Any], items: Iterable[Any], key: Any) -> None:
        for item in items:
            name = key(item)
            if name in into:
                message = (
                    f"{type(item).__name__} {name!r} from {item.owner} is ignored: "
                    f"{into[name].owner} registered it first"
                )
                log.error(message)
                self.conflicts.append(message)
                continue
            into[name] = item

    def refresh_stored_fields(self, session: Session) -> None:
        """Pick up fields an admin declared (in any process) since the last look."""
        marker = stored_fields_marker(session)
        if marker == self._stored_marker:
            return
        code_declared = {key: s for key, s in self.fields.items() if s.owner != STORED}
        self.fields = code_declared
        self._add_all(self.fields, stored_fields(session), lambda s: (s.entity, s.name))
        self._stored_marker = marker

    def term(self, key: str, language: str | None = None) -> str:
        """The team's word for ``key`` ("deal" may be "order"); the key itself by default."""
        term = self.terms.get(key)
        return term.label_for(language) if term else key

    def fields_for(self, entity: Entity) -> list[FieldSpec]:
        return [spec for (owner, _), spec in self.fields.items() if owner == entity]

    def coerce_fields(
        self, entity: Entity, raw: dict[str, Any], *, creating: bool
    ) -> dict[str, FieldValue]:
        """Validate custom field values; on create, required fields must be present."""
        problems = []
        values: dict[str, FieldValue] = {}
        for name, value in raw.items():
            spec = self.fields.get((entity, name))
            if spec is None:
                known = ", ".join(s.name for s in self.fields_for(entity)) or _l("none")
                reason = _l(
                    "is not a {entity} field (known: {known})",
                    entity=entity_word(entity),
                    known=known,
                )
                problems.append(InvalidInput.one(f"fields.{name}", reason))
                continue
            try:
                values[name] = spec.coerce(value)
            except InvalidInput as exc:
                problems.append(
                    InvalidInput(
                        [FieldProblem(f"fields.{p.field}", p.reason) for p in exc.problems]
                    )
                )
        if creating:
            for spec in self.fields_for(entity):
                if spec.required and values.get(spec.name) is None and spec.name not in raw:
                    problems.append(InvalidInput.one(f"fields.{spec.name}", _l("is required")))
        if problems:
            raise InvalidInput([p for exc in problems for p in exc.problems])
        return values
