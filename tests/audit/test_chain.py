"""The audit trail is append-only and tamper-evident: any altered, deleted or truncated record is found."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit import service as audit
from openmash.audit.models import AuditRecord
from openmash.audit.service import Actor, Outcome
from openmash.db.session import transaction

ACTOR = Actor(label="officer@example.invalid")


def _write(sessions: sessionmaker[Session], n: int) -> None:
    for i in range(n):
        with transaction(sessions) as session:
            audit.record(session, "register.search", ACTOR, purpose=f"application {i}", object_id=str(i))


def _tamper(engine: Engine, sql: str) -> None:
    """What an attacker with direct database access could do: bypass the append-only trigger."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(sql))
        else:
            conn.execute(text("DROP TRIGGER audit_records_no_update"))
            conn.execute(text("DROP TRIGGER audit_records_no_delete"))
            conn.execute(text(sql))


def _verify(sessions: sessionmaker[Session]) -> audit.VerifyResult:
    with transaction(sessions) as session:
        return audit.verify(session)


def test_an_untouched_trail_verifies(sessions: sessionmaker[Session]) -> None:
    _write(sessions, 5)
    result = _verify(sessions)
    assert result.intact
    assert result.checked == 5
    with transaction(sessions) as session:
        newest = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert newest is not None
        assert result.head_hash == newest.hash  # the value to publish outside the database


def test_an_empty_trail_verifies(sessions: sessionmaker[Session]) -> None:
    assert _verify(sessions).intact


def test_altering_a_record_is_reported_at_that_record(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    _write(sessions, 6)
    _tamper(engine, "UPDATE audit_records SET purpose = 'nothing to see' WHERE seq = 3")
    result = _verify(sessions)
    assert not result.intact
    assert result.first_broken_seq == 3
    assert result.checked == 2


def test_deleting_a_record_is_reported(sessions: sessionmaker[Session], engine: Engine) -> None:
    _write(sessions, 6)
    _tamper(engine, "DELETE FROM audit_records WHERE seq = 4")
    result = _verify(sessions)
    assert not result.intact
    assert result.first_broken_seq == 4


def test_deleting_the_newest_records_is_reported(sessions: sessionmaker[Session], engine: Engine) -> None:
    _write(sessions, 6)
    _tamper(engine, "DELETE FROM audit_records WHERE seq >= 5")
    result = _verify(sessions)
    assert not result.intact
    assert result.first_broken_seq == 5


def test_rewriting_a_record_and_its_hash_still_breaks_the_next_link(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    _write(sessions, 4)
    flipped = "CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2)"
    _tamper(engine, f"UPDATE audit_records SET hash = {flipped} WHERE seq = 2")  # noqa: S608 - a fixed test statement
    result = _verify(sessions)
    assert result.first_broken_seq == 2


@pytest.mark.parametrize("statement", ["UPDATE audit_records SET purpose = 'x'", "DELETE FROM audit_records"])
def test_the_database_refuses_to_change_audit_records(
    sessions: sessionmaker[Session], engine: Engine, statement: str
) -> None:
    _write(sessions, 2)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert _verify(sessions).checked == 2


def test_a_record_rolled_back_with_its_action_leaves_no_gap(sessions: sessionmaker[Session]) -> None:
    _write(sessions, 2)

    def failing_action() -> None:
        with transaction(sessions) as session:
            audit.record(session, "user.create", ACTOR)
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()
    _write(sessions, 1)
    result = _verify(sessions)
    assert result.intact
    assert result.checked == 3


def test_records_keep_who_what_and_why(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        entry = audit.record(
            session,
            "access.denied",
            ACTOR,
            outcome=Outcome.DENIED,
            object_type="route",
            object_id="GET /audit",
            purpose="checking",
            context=audit.Context(request_id="abc", ip_address="127.0.0.1"),
            details={"reason": "missing permission"},
        )
        assert entry.seq == 1
        assert entry.prev_hash == audit.GENESIS_HASH
        assert len(entry.hash) == 64
        assert entry.outcome == "denied"
