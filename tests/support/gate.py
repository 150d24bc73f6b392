"""Building gate checks, licensed cars and flagged drivers for tests through the services (synthetic)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Session

from openmash.audit.service import NO_CONTEXT
from openmash.identity.models import Agency
from openmash.identity.principal import Principal
from openmash.register import concerns as driver_concerns
from openmash.register.models import Licence
from openmash.safeguarding import gate
from openmash.safeguarding.gate import GateAnswer, GateCheckInput
from tests.support.register import make_licensed_driver
from tests.support.safeguarding import NOW

DRIVER_SURNAME = "Quennell-Ashdown"
DRIVER_FORENAMES = "Barnaby"


def licensed_car(
    session: Session,
    authority_id: object,
    registration: str,
    *,
    ref: str = "PH-0001",
    events: list[tuple[str, date, str | None]] | None = None,
) -> Licence:
    """A private hire driver (with an unusual synthetic name, easy to look for) licensed with this car."""
    authority = session.get(Agency, authority_id)
    assert authority is not None
    return make_licensed_driver(
        session,
        authority,
        ref=ref,
        surname=DRIVER_SURNAME,
        forenames=DRIVER_FORENAMES,
        registration=registration,
        events=events,
    )


def flag_driver(session: Session, licensing: Principal, person_id: uuid.UUID) -> None:
    """A safeguarding concern about the driver in the register (recorded by a licensing officer)."""
    driver_concerns.record_concern(
        session,
        licensing,
        person_id,
        kind="intelligence",
        safeguarding=True,
        occurred_on=date(2026, 2, 1),
        summary="Synthetic: seen loitering outside a children's home at night",
        context=NO_CONTEXT,
        today=date(2026, 3, 10),
    )


def check(
    session: Session,
    principal: Principal,
    registration: str,
    mash_agency_id: object,
    *,
    child_id: uuid.UUID | None = None,
    now: datetime = NOW,
) -> GateAnswer:
    data = GateCheckInput(
        registration=registration,
        child_id=child_id,
        mash_agency_id=mash_agency_id,  # type: ignore[arg-type]
    )
    return gate.check_vehicle(session, principal, data, NO_CONTEXT, now=now)


def three_children_one_car(
    session: Session,
    cast: object,
    registration: str = "LR70XYZ",
    *,
    flagged: bool = True,
) -> tuple[list[uuid.UUID], uuid.UUID]:
    """Three children picked up by the same car: a school's concern, a home's missing-episode return, and a
    home's gate check. The car is licensed to a driver (with a register safeguarding concern if
    ``flagged``). Returns the children and the driver."""
    from openmash.safeguarding.concerns import ConcernInput, record_concern
    from tests.support.care import bring_back, report
    from tests.support.safeguarding import at, make_child, who

    school, home = who(session, cast.school), who(session, cast.home)  # type: ignore[attr-defined]
    mash_id = cast.mash.agency_id  # type: ignore[attr-defined]
    licence = licensed_car(session, cast.licensing.agency_id, registration)  # type: ignore[attr-defined]
    if flagged:
        flag_driver(session, who(session, cast.licensing), licence.person_id)  # type: ignore[attr-defined]
    first, second, third = make_child(session, school), make_child(session, home), make_child(session, home)
    record_concern(
        session,
        school,
        first.id,
        ConcernInput(
            category_code="picked_up_by_taxi_or_car",
            occurred_at=at(2026, 3, 2, 15),
            summary="Synthetic: collected at the school gate by a silver car, not arranged by carers",
            vehicle_registration=registration.lower(),
        ),
        NO_CONTEXT,
        now=NOW,
    )
    episode = report(session, home, second.id, mash_id, at(2026, 3, 3, 20), now=at(2026, 3, 3, 22))
    bring_back(
        session,
        home,
        episode.id,
        at(2026, 3, 4, 9),
        now=at(2026, 3, 4, 10),
        vehicle_registration=registration,
    )
    check(session, home, registration, mash_id, child_id=third.id, now=at(2026, 3, 5, 16))
    return [first.id, second.id, third.id], licence.person_id
