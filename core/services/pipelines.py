"""Pipelines and their ordered stages; the default one comes from the domain's sales funnel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import DealRow, PipelineRow, StageRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role, StageOutcome
from rapport.core.domain.errors import InvalidInput, NotFound, Text, _l
from rapport.core.domain.models import Pipeline, Stage
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

DEFAULT_PIPELINE = "Sales"
DEFAULT_STAGES: tuple[tuple[str, str, float, int | None, StageOutcome], ...] = (
    ("lead", "Lead", 0.05, 7, StageOutcome.OPEN),
    ("info_sent", "Information sent", 0.10, 7, StageOutcome.OPEN),
    ("demo", "Demonstration", 0.25, 14, StageOutcome.OPEN),
    ("reference_visit", "Reference visit", 0.40, 14, StageOutcome.OPEN),
    ("trial", "Trial", 0.60, 30, StageOutcome.OPEN),
    ("negotiation", "Contract negotiation", 0.80, 14, StageOutcome.OPEN),
    ("won", "Won", 1.0, None, StageOutcome.WON),
    ("lost", "Lost", 0.0, None, StageOutcome.LOST),
)


def ensure_default_pipeline(app: App) -> Pipeline:
    """Create the default pipeline if there is none (as Rapport's set-up, through the one
    write path); return the default pipeline."""
    with UnitOfWork(app) as uow:
        row = uow.session.scalar(select(PipelineRow).where(PipelineRow.is_default))
        if row is None:
            row = PipelineRow(name=DEFAULT_PIPELINE, is_default=True)
            stages = [
                StageRow(key=key, name=name, position=position, probability=probability,
                         sla_days=sla, outcome=outcome.value)
                for position, (key, name, probability, sla, outcome) in enumerate(DEFAULT_STAGES)
            ]  # fmt: skip

            def create() -> int:
                uow.session.add(row)
                uow.session.flush()
                for stage in stages:
                    stage.pipeline_id = row.id
                    uow.session.add(stage)
                uow.session.flush()
                return row.id

            changes.write(uow, Actor.system("set-up"), entity="pipeline", action="create",
                          entity_id=None, before=None,
                          after={"name": DEFAULT_PIPELINE,
                                 "stages": [list(_shape(stage)) for stage in stages]},
                          apply=create)  # fmt: skip
        pipeline = load_pipeline(uow.session, row.id)
        uow.commit()
    return pipeline


def save_pipeline(
    app: App, actor: Actor, name: str, stages: Sequence[Mapping[str, Any]]
) -> Pipeline:
    """Create a pipeline, or reshape one: rename stages, reorder them, change their
    probability and SLA, add stages. A stage that still holds deals cannot be removed.
    """
    require_role(actor, Role.ADMIN)
    wanted = [_stage_values(index, stage) for index, stage in enumerate(stages)]
    keys = [stage["key"] for stage in wanted]
    if len(set(keys)) != len(keys):
        raise InvalidInput.one("stages", _l("stage keys must be unique"))
    if {s["outcome"] for s in wanted} < {o.value for o in StageOutcome}:
        raise InvalidInput.one("stages", _l("a pipeline needs open stages, a won and a lost stage"))
    with UnitOfWork(app) as uow:
        session = uow.session
        found = session.scalar(select(PipelineRow).where(PipelineRow.name == name))
        existing = {s.key: s for s in _stages(session, found.id)} if found else {}
        for key, stage in existing.items():
            if key not in keys and session.scalar(
                select(func.count()).where(DealRow.stage_id == stage.id)
            ):
                raise InvalidInput.one(
                    "stages",
                    _l("stage {name} still holds deals; move them first", name=repr(stage.name)),
                )
        shape = [[s["position"], s["key"], s["name"], s["probability"], s["sla_days"],
                  s["outcome"]] for s in sorted(wanted, key=lambda s: s["position"])]  # fmt: skip
        before = [list(_shape(stage)) for stage in sorted(existing.values(), key=_shape)]

        def apply() -> int:
            row = found or PipelineRow(name=name, is_default=False)
            session.add(row)
            session.flush()
            for key, stage in existing.items():
                if key not in keys:
                    session.delete(stage)
            for values in wanted:
                kept = existing.get(values["key"])
                if kept is None:
                    session.add(StageRow(pipeline_id=row.id, **values))
                else:
                    for column, value in values.items():
                        setattr(kept, column, value)
            session.flush()
            return row.id

        changes.write(uow, actor, entity="pipeline", action="save" if found else "create",
                      entity_id=found.id if found else None,
                      before={"name": name, "stages": before} if found else None,
                      after={"name": name, "stages": shape}, apply=apply)  # fmt: skip
        row_id = (
            found.id
            if found
            else session.scalar(select(PipelineRow.id).where(PipelineRow.name == name))
        )
        assert row_id is not None
        pipeline = load_pipeline(session, row_id)
        uow.commit()
    return pipeline


def _stages(session: Session, pipeline_id: int) -> list[StageRow]:
    return list(session.scalars(select(StageRow).where(StageRow.pipeline_id == pipeline_id)))


def _shape(stage: StageRow) -> tuple[Any, ...]:
    return (stage.position, stage.key, stage.name, stage.probability, stage.sla_days, stage.outcome)


def _stage_values(position: int, stage: Mapping[str, Any]) -> dict[str, Any]:
    try:
        outcome = StageOutcome(stage.get("outcome", StageOutcome.OPEN))
        probability = float(stage["probability"])
    except (KeyError, ValueError, TypeError):
        raise InvalidInput.one(
            f"stages.{position}", _l("needs a key, a name, a probability and an outcome")
        ) from None
    if not 0 <= probability <= 1:
        raise InvalidInput.one(f"stages.{position}.probability", _l("is a share from 0 to 1"))
    return {
        "key": str(stage["key"]),
        "name": str(stage.get("name") or stage["key"]),
        "position": position,
        "probability": probability,
        "sla_days": stage.get("sla_days"),
        "outcome": outcome.value,
    }


def list_pipelines(app: App) -> list[Pipeline]:
    with UnitOfWork(app, read_only=True) as uow:
        ids = uow.session.scalars(select(PipelineRow.id).order_by(PipelineRow.id))
        return [load_pipeline(uow.session, pipeline_id) for pipeline_id in ids]


def load_pipeline(session: Session, pipeline_id: int | None) -> Pipeline:
    """The pipeline by id, or the default one when ``pipeline_id`` is ``None``."""
    query = select(PipelineRow)
    query = query.where(
        PipelineRow.is_default if pipeline_id is None else PipelineRow.id == pipeline_id
    )
    row = session.scalar(query)
    if row is None:
        if pipeline_id is None:
            raise NotFound(_l("There is no default pipeline; run `rapport init`."))
        raise InvalidInput.one("pipeline_id", _l("there is no pipeline #{id}", id=pipeline_id))
    stages = session.scalars(
        select(StageRow).where(StageRow.pipeline_id == row.id).order_by(StageRow.position)
    )
    return Pipeline(
        id=row.id,
        name=row.name,
        is_default=row.is_default,
        stages=[Stage.model_validate(stage) for stage in stages],
    )


def stage_of(pipeline: Pipeline, wanted: str | int) -> Stage:
    """The stage of ``pipeline`` named by key, name or id; a stage elsewhere is refused."""
    found = (
        next((s for s in pipeline.stages if s.id == wanted), None)
        if isinstance(wanted, int)
        else pipeline.stage(wanted)
    )
    if found is None:
        # The stages as the reader knows them: the default ones in their language.
        listed = {f"stage{n}": _l(stage.name) for n, stage in enumerate(pipeline.stages)}
        names = Text(", ".join(f"{{{key}}}" for key in listed), listed)
        raise InvalidInput.one(
            "stage",
            _l(
                "{value} is not a stage of pipeline {pipeline} ({names})",
                value=repr(wanted),
                pipeline=repr(pipeline.name),
                names=names,
            ),
        )
    return found
