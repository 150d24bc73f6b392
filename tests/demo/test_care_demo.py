"""The hub's demo after ``demo load``: the looked-after child's overdue return home interview, a contact in
the MASH's triage queue, and the planted child's request for help, unanswered and escalated to the MASH's
managers; loading again writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.demo import care, children, seed
from openmash.identity import users
from openmash.identity.principal import Principal, principal_for_user
from openmash.safeguarding import help_requests, return_interviews, triage
from openmash.safeguarding.models_care import HelpRequest, MashContact, MissingEpisode, PhilomenaShare


def _who(session: Session, local: str) -> Principal:
    user = users.find_by_email(session, seed.demo_email(local))
    assert user is not None
    return principal_for_user(user)


def _load(sessions: sessionmaker[Session], settings: Settings) -> str:
    with transaction(sessions) as session:
        seed.load(session, settings)
    with transaction(sessions) as session:
        return children.load(session)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_demos_escalated_request_for_help_is_there_after_demo_load_and_a_second_load_adds_nothing(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    note = _load(sessions, settings)
    assert "unanswered and escalated" in note
    with transaction(sessions) as session:
        escalated = help_requests.escalations(session, _who(session, "mash.manager"))
        assert len(escalated) == 1
        assert escalated[0].childs_words == care.CHILDS_WORDS
        assert escalated[0].overdue
        assert escalated[0].acknowledged_by is None
        due = return_interviews.interviews_due(session, _who(session, "mash.practitioner"))
        assert [d.overdue for d in due] == [True]
        queued = triage.queue(session, _who(session, "mash.practitioner"))
        assert [q.grade for q in queued] == ["amber", None]
        assert queued[0].overdue
        assert _count(session, PhilomenaShare) == 1  # the profile went to police with the missing report
        counts = [_count(session, m) for m in (HelpRequest, MashContact, MissingEpisode, AuditRecord)]
    _load(sessions, settings)
    with transaction(sessions) as session:
        again = [_count(session, m) for m in (HelpRequest, MashContact, MissingEpisode, AuditRecord)]
    assert again == counts
