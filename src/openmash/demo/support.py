"""The planted case of support lapsing after court (issue 8 items 9 and 13): a child who gave evidence at a
trial ten weeks ago. Her independent sexual violence adviser (ISVA), the only item of her support plan, was
paused last week by its owner, who then tried to close it: refused, because it is inside the 12 weeks after
the verdict, so the owner asked a MASH manager to review closing it. The review is pending, nothing is open,
and the "gap in support" alert names the verdict and the paused item for the MASH.

Written through the real services as the demo users, back-dated through their ``now``. Loading again
changes nothing: the child is found by name and date of birth, and the case is written only when she is
made. Must run after ``seed.load`` (``demo.planted`` calls it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from openmash.audit.service import NO_CONTEXT
from openmash.identity.principal import Principal
from openmash.safeguarding import court_dates, support
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.models import Child
from openmash.safeguarding.support import ItemInput, ReviewRequired

VERDICT_WEEKS_AGO = 10
OWNER = "mash.practitioner"


def plant_lapsing(
    session: Session,
    who: Callable[[Session, str], Principal],
    child: Child,
    new: bool,
    now: datetime,
) -> Child:
    """Write the case for ``child`` when she was just made (``new``); otherwise leave it as it is."""
    if not new:
        return child
    owner = who(session, OWNER)
    verdict = (now - timedelta(weeks=VERDICT_WEEKS_AGO)).date()
    item = support.add_item(
        session,
        owner,
        child.id,
        ItemInput(
            "isva", "Demo: ISVA, weekly sessions since she reported", owner.id, verdict - timedelta(weeks=30)
        ),
        NO_CONTEXT,
        now=datetime.combine(verdict - timedelta(weeks=30), datetime.min.time(), tzinfo=now.tzinfo)
        + timedelta(hours=10),
    )
    court_dates.record_court_date(
        session,
        owner,
        child.id,
        CourtDateInput(
            "trial", verdict - timedelta(days=4), "Demo Crown Court", "She gave evidence by video link"
        ),
        NO_CONTEXT,
        now=_at(verdict, now, 16),
    )
    court_dates.record_court_date(
        session,
        owner,
        child.id,
        CourtDateInput(
            "verdict", verdict, "Demo Crown Court", "Demo: guilty on two counts; sentencing adjourned"
        ),
        NO_CONTEXT,
        now=_at(verdict, now, 17),
    )
    asked = now - timedelta(days=6)
    support.change_status(
        session,
        owner,
        item.id,
        "paused",
        "Demo: she has missed three sessions since the verdict",
        NO_CONTEXT,
        now=asked,
    )
    try:
        support.change_status(
            session, owner, item.id, "closed", "Demo: case over, she is not engaging", NO_CONTEXT, now=asked
        )
    except ReviewRequired:
        support.request_closure(
            session,
            owner,
            item.id,
            "Demo: the case is over and she is not engaging; please review closing",
            NO_CONTEXT,
            now=asked + timedelta(minutes=5),
        )
    return child


def _at(day: date, now: datetime, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=hour)
