"""The planted case of support lapsing after court: after ``demo load`` the child's only support item is
paused with a MASH manager's review of closing it pending, the gap alert names the verdict and the item, the
note says where to look, and loading again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.demo import planted
from openmash.safeguarding import support
from openmash.safeguarding.models_support import SupportItemEvent
from tests.alerts.test_alerts import _records
from tests.demo.test_planted import _load, _one


def test_the_planted_child_has_a_pending_review_and_a_gap_alert_and_a_second_load_adds_nothing(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    note = _load(sessions, settings)
    assert "review is pending" in note
    with transaction(sessions) as session:
        found = planted.plant(session)
        child = found.lapsing
        assert f"/children/{child.id}/support" in note
        (item,) = support.items_of(session, child.id)
        events = support.events_of(session, item.id)
        assert support.status_of(events) is support.Status.PAUSED
        assert support.review_pending(events)
        alert = _one(session, "support_gap", f"child:{child.id}:support")
        assert {kind for kind, _ in _records(session, alert)} == {"court_date", "support_item"}
        counts = (
            session.scalar(select(func.count()).select_from(SupportItemEvent)),
            session.scalar(select(func.count()).select_from(Alert)),
        )
    with transaction(sessions) as session:
        planted.load(session)
        assert counts == (
            session.scalar(select(func.count()).select_from(SupportItemEvent)),
            session.scalar(select(func.count()).select_from(Alert)),
        )
