"""Appending to the audit trail costs three statements: every audited action (a screening among them, issue 7)
pays them, so a fourth would be a regression. Counted, never timed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit import service as audit
from openmash.audit.service import Actor
from openmash.db.session import transaction

ACTOR = Actor(label="officer@example.invalid")
# The chain head read under lock (so appends are serial and the sequence has no gaps), the record, the head
# moved on.
STATEMENTS_PER_RECORD = 3


def _statements_of_one_record(sessions: sessionmaker[Session], engine: Engine) -> list[str]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    with transaction(sessions) as session:
        session.connection()  # the transaction begun outside the count (SQLite sends BEGIN IMMEDIATE)
        event.listen(engine, "before_cursor_execute", count)
        try:
            audit.record(session, "register.search", ACTOR, purpose="application 1")
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return sent


def test_appending_a_record_costs_three_statements(sessions: sessionmaker[Session], engine: Engine) -> None:
    _statements_of_one_record(sessions, engine)  # the first record also creates the chain head
    sent = _statements_of_one_record(sessions, engine)
    assert len(sent) == STATEMENTS_PER_RECORD, "\n\n".join(sent)
    with transaction(sessions) as session:
        assert audit.verify(session).checked == 2
