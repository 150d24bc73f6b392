"""Building missing episodes, Philomena profiles, MASH contacts and requests for help for tests, through the
hub's services (synthetic children only, Faker en_GB with a fixed seed)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from faker import Faker
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.identity.principal import Principal
from openmash.safeguarding import missing, status
from openmash.safeguarding.missing import MissingReport, ReturnDetails
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_care import MissingEpisode, MissingReturn
from openmash.safeguarding.status import ChildStatus

faker = Faker("en_GB")
faker.seed_instance(8077)


def place(session: Session, mash: Principal, child: Child, home_agency_id: object) -> Child:
    """Make the child looked after and placed in this children's home (by the MASH)."""
    return status.set_status(
        session,
        mash,
        child.id,
        ChildStatus(looked_after=True, placement_agency_id=home_agency_id),  # type: ignore[arg-type]
        NO_CONTEXT,
    )


def report(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    mash_agency_id: object,
    since: datetime,
    *,
    now: datetime,
    **kw: object,
) -> MissingEpisode:
    values: dict[str, object] = {
        "missing_since": since,
        "last_seen_where": f"Bus station, {faker.city()}",
        "circumstances": "Did not come back after school; phone switched off.",
        "clothing": "Black puffer jacket, grey joggers, white trainers",
        "mash_agency_id": mash_agency_id,
    }
    values.update(kw)
    return missing.report_missing(session, principal, child_id, MissingReport(**values), NO_CONTEXT, now=now)  # type: ignore[arg-type]


def bring_back(
    session: Session,
    principal: Principal,
    episode_id: uuid.UUID,
    returned_at: datetime,
    *,
    now: datetime,
    **kw: object,
) -> MissingReturn:
    values: dict[str, object] = {
        "returned_at": returned_at,
        "how": "found",
        "found_where": f"A flat on {faker.street_name()}",
        "found_with": "Two adult men, not known to carers",
    }
    values.update(kw)
    return missing.record_return(session, principal, episode_id, ReturnDetails(**values), NO_CONTEXT, now=now)  # type: ignore[arg-type]


def audits(session: Session, action: str) -> list[AuditRecord]:
    return list(
        session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq))
    )


def details(record: AuditRecord) -> dict[str, object]:
    return json.loads(record.details)  # type: ignore[no-any-return]


def refused(engine: Engine, table: str) -> None:
    """Assert that the database refuses to update or delete this table's rows, as append-only."""
    for statement in (
        f"UPDATE {table} SET created_at = created_at",  # noqa: S608 - a table name from the test
        f"DELETE FROM {table}",  # noqa: S608 - a table name from the test
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
