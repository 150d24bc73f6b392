"""The child's page shows who else holds something about the child only to those who see the whole record:
a children's home's name is where a looked-after child lives, and "created by the police" says the police
know the child."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.safeguarding import child_record, status
from openmash.safeguarding.children import add_identifier
from openmash.safeguarding.status import ChildStatus
from tests.support.safeguarding import Cast, make_cast, make_child, record, who


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def test_a_school_sees_neither_the_placement_nor_which_agencies_hold_the_childs_record(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        police = who(session, cast.police)
        child = make_child(session, police)
        add_identifier(session, who(session, cast.health), child.id, "nhs_number", "943 476 5919", NO_CONTEXT)
        status.set_status(
            session,
            who(session, cast.mash),
            child.id,
            ChildStatus(looked_after=True, placement_agency_id=cast.home.agency_id),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
        school = who(session, cast.school)
        record(session, school, child.id)  # the school now records about the child
    with transaction(sessions) as session:
        seen = child_record.view_child(session, who(session, cast.school), child.id, None, NO_CONTEXT)
        assert seen.created_by_agency == child_record.ANOTHER_AGENCY
        assert seen.placement == child_record.PLACEMENT_WITHHELD
        (nhs,) = seen.identifiers
        assert nhs.value == "9434765919"
        assert nhs.agency_name == child_record.ANOTHER_AGENCY
    with transaction(sessions) as session:  # the MASH sees the whole record, with a purpose
        mash = child_record.view_child(
            session, who(session, cast.mash), child.id, "Strategy discussion", NO_CONTEXT
        )
        assert mash.created_by_agency not in ("", child_record.ANOTHER_AGENCY)
        assert mash.placement not in (None, child_record.PLACEMENT_WITHHELD)
        assert mash.identifiers[0].agency_name != child_record.ANOTHER_AGENCY
    with transaction(sessions) as session:  # the home sees its own placement
        home = child_record.view_child(
            session, who(session, cast.home), child.id, "Placed with us", NO_CONTEXT
        )
        assert home.placement not in (None, child_record.PLACEMENT_WITHHELD)
