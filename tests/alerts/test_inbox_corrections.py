"""An alert read after a correction: a concern that a later correction moved into a restricted category is
hidden from a lead professional the category does not name (not even counted), and an alert left with no
record they may see is no longer theirs."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError
from openmash.safeguarding import concerns, status
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.status import ChildStatus
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

MARK = "YX21KLM"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def test_a_concern_moved_into_police_intelligence_leaves_the_lead_professionals_alert(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, home, police, mash = (
            who(session, c) for c in (cast.school, cast.home, cast.police, cast.mash)
        )
        first, second = make_child(session, school), make_child(session, home)
        status.set_status(
            session, mash, first.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        theirs = record(
            session, police, first.id, "cars_with_unknown_adults", at(2026, 3, 2), vehicle_registration=MARK
        )
        record(
            session, home, second.id, "cars_with_unknown_adults", at(2026, 3, 3), vehicle_registration=MARK
        )
        (alert,) = [
            a for a in alerts.evaluate_child(session, first.id, NOW) if a.rule_code == "shared_entity"
        ]
        before = alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        assert [r.record_id for r in before.records] == [theirs.id]
        assert before.withheld_records == 1  # the home's record about another child
        concerns.correct_concern(
            session,
            police,
            theirs.id,
            ConcernInput(
                category_code="police_intelligence",
                occurred_at=theirs.occurred_at,
                summary=theirs.summary,
                vehicle_registration=MARK,
            ),
            "This is intelligence",
            NO_CONTEXT,
            now=NOW,
        )
        alerts.evaluate_child(session, first.id, NOW)
        # The original is hidden by its correction, the correction by its category: nothing left to read.
        assert alerts.alerts_for(session, school) == []
        with pytest.raises(NotFoundError):
            alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        shown = alerts.alert_detail(session, mash, alert.id, NO_CONTEXT)
        assert theirs.id in {r.record_id for r in shown.records}
