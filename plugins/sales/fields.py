"""Deal fields the sales plugin declares: the discount and the opportunity flag."""

from __future__ import annotations

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import Text
from rapport.core.domain.fields import FieldSpec, FieldValue
from rapport.core.i18n import texts_for

_l = texts_for(__file__).lazy


def sales_fields() -> list[FieldSpec]:
    return [
        FieldSpec(
            entity="deal",
            name="discount_percent",
            type=FieldType.NUMBER,
            label="Discount, %",
            labels={"ru": "Скидка, %", "uk": "Знижка, %"},
            validator=_percentage,
        ),
        FieldSpec(
            entity="deal",
            name="opportunity",
            type=FieldType.BOOLEAN,
            label="Opportunity (large prospect)",
            labels={"ru": "Крупная возможность", "uk": "Велика можливість"},
            help="Set by Rapport when the amount reaches the opportunity threshold.",
        ),
    ]


def _percentage(value: FieldValue) -> Text | None:
    if isinstance(value, int | float) and not 0 <= value <= 100:
        return _l("is a percentage from 0 to 100")
    return None
