"""Free tags on customers ("vip", "exhibition 2026"), for segments and quick lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.values import one_line
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.customers import visible_customer
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.tables import TagRow

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

MAX_TAG = 64


def normalize_tag(raw: str) -> str:
    tag = one_line(raw, "tags").casefold()
    if not tag:
        raise InvalidInput.one("tags", _l("a tag cannot be empty"))
    if len(tag) > MAX_TAG or "," in tag:
        raise InvalidInput.one(
            "tags",
            _l("{tag}: at most {limit} characters and no commas", tag=repr(raw), limit=MAX_TAG),
        )
    return tag


def set_tags(
    app: App,
    actor: Actor,
    customer_id: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> list[str]:
    """Add and remove tags; returns the customer's tags, sorted."""
    adding = {normalize_tag(t) for t in add}
    removing = {normalize_tag(t) for t in remove}
    with UnitOfWork(app) as uow:
        visible_customer(uow.session, actor, customer_id)
        before = tags_of(uow.session, [customer_id]).get(customer_id, [])
        after = sorted((set(before) | adding) - removing)
        if after == before:
            return before

        def apply() -> int:
            uow.session.execute(delete(TagRow).where(TagRow.customer_id == customer_id))
            if after:
                uow.session.execute(
                    insert(TagRow), [{"customer_id": customer_id, "tag": t} for t in after]
                )
            return customer_id

        changes.write(uow, actor, entity="customer", action="tags", entity_id=customer_id,
                      before={"tags": before}, after={"tags": after}, apply=apply)  # fmt: skip
        uow.commit()
    return after


def get_tags(app: App, actor: Actor, customer_id: int) -> list[str]:
    """The tags of a customer the person may see, sorted."""
    with UnitOfWork(app, read_only=True) as uow:
        visible_customer(uow.session, actor, customer_id)
        return tags_of(uow.session, [customer_id]).get(customer_id, [])


def tags_of(session: Session, customer_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(TagRow.customer_id, TagRow.tag)
        .where(TagRow.customer_id.in_(customer_ids))
        .order_by(TagRow.tag)
    )
    for customer_id, tag in rows:
        found.setdefault(customer_id, []).append(tag)
    return found
