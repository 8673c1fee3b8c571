"""Pipelines and their ordered stages; the default one comes from the domain's sales funnel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.tables import PipelineRow, StageRow
from core.domain.enums import StageOutcome
from core.domain.errors import InvalidInput, NotFound
from core.domain.models import Pipeline, Stage
from core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from core.bootstrap import App

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
    """Create the default pipeline if there is none; return the default pipeline."""
    with UnitOfWork(app) as uow:
        row = uow.session.scalar(select(PipelineRow).where(PipelineRow.is_default))
        if row is None:
            row = PipelineRow(name=DEFAULT_PIPELINE, is_default=True)
            uow.session.add(row)
            uow.session.flush()
            for position, (key, name, probability, sla, outcome) in enumerate(DEFAULT_STAGES):
                uow.session.add(
                    StageRow(
                        pipeline_id=row.id,
                        key=key,
                        name=name,
                        position=position,
                        probability=probability,
                        sla_days=sla,
                        outcome=outcome.value,
                    )
                )
            uow.session.flush()
        pipeline = load_pipeline(uow.session, row.id)
        uow.commit()
    return pipeline


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
            raise NotFound("There is no default pipeline; run `rapport init`.")
        raise InvalidInput.one("pipeline_id", f"there is no pipeline #{pipeline_id}")
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
        names = ", ".join(stage.name for stage in pipeline.stages)
        raise InvalidInput.one(
            "stage", f"{wanted!r} is not a stage of pipeline {pipeline.name!r} ({names})"
        )
    return found
