"""Tables for what the hub does about a child once a sign is seen: missing episodes (the report, the return,
the return home interview), the Philomena profile kept in advance for a looked-after child and the snapshot
shared with police when they go missing, contacts triaged by the MASH, and a child's requests for help.

Every table here is evidence, so every one is append-only (migration 0007 makes the database refuse UPDATE and
DELETE): a later fact is a new row. A return is a row beside its report, a regrade is a new grade, a new
Philomena profile is a new version, and a request for help moves on by steps (acknowledged, answered,
escalated, closed), each a row of its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Entity


class MissingEpisode(Entity):
    """A child reported missing: when they were last seen, where, in what, and what happened."""

    __tablename__ = "missing_episodes"
    __table_args__ = (Index("ix_missing_episodes_child_since", "child_id", "missing_since"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # The MASH of the local authority that arranges the return home interview.
    mash_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    reported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reported_by: Mapped[str] = mapped_column(String(300))
    reported_at: Mapped[datetime]  # server time
    missing_since: Mapped[datetime]  # when last seen (may be before the report)
    last_seen_where: Mapped[str] = mapped_column(String(300))
    clothing: Mapped[str | None] = mapped_column(Text)
    circumstances: Mapped[str] = mapped_column(Text)
    police_reference: Mapped[str | None] = mapped_column(String(40))
    shared_with_police: Mapped[bool] = mapped_column(default=True)


class MissingReturn(Entity):
    """The end of a missing episode: found or came back, where, with whom, how; and when the return home
    interview falls due (fixed when recorded, so a later change of the setting does not move it)."""

    __tablename__ = "missing_returns"

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), unique=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    returned_at: Mapped[datetime]
    how: Mapped[str] = mapped_column(String(20))  # "found" or "returned" (came back of their own accord)
    found_where: Mapped[str] = mapped_column(String(300))
    found_with: Mapped[str | None] = mapped_column(Text)
    transport: Mapped[str | None] = mapped_column(String(300))
    vehicle_registration: Mapped[str | None] = mapped_column(String(8), index=True)
    vehicle_description: Mapped[str | None] = mapped_column(String(300))
    shared_with_police: Mapped[bool] = mapped_column(default=True)
    interview_due_at: Mapped[datetime]


class ReturnInterview(Entity):
    """One step of a return home interview: offered, declined or completed, by a named interviewer, with
    the child's account kept exactly as typed."""

    __tablename__ = "return_interviews"

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    interviewer: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime]
    childs_account: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    shared_with_police: Mapped[bool] = mapped_column(default=False)


class PhilomenaProfile(Entity):
    """One version of a looked-after child's Philomena profile. A change is a new version; the profile
    belongs to the child, not the placement, so it moves with them."""

    __tablename__ = "philomena_profiles"
    __table_args__ = (UniqueConstraint("child_id", "version"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    version: Mapped[int]
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text)
    vulnerabilities: Mapped[str | None] = mapped_column(Text)
    associates: Mapped[str | None] = mapped_column(Text)
    places: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(100))
    social_media: Mapped[str | None] = mapped_column(Text)
    transport: Mapped[str | None] = mapped_column(Text)
    # Where the photograph is kept (the home's file, the police system), not the image itself.
    photo_reference: Mapped[str | None] = mapped_column(String(300))
    change_note: Mapped[str | None] = mapped_column(String(500))


class PhilomenaShare(Entity):
    """What was shared with police when the child was reported missing: the profile as it stood, and the
    day's details, frozen as a snapshot so it still shows what police were told after the profile changes."""

    __tablename__ = "philomena_shares"

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), unique=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    shared_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    shared_by: Mapped[str] = mapped_column(String(300))
    shared_at: Mapped[datetime]
    profile_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("philomena_profiles.id"))
    profile_version: Mapped[int | None]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class MashContact(Entity):
    """A contact received by a MASH about a child: a concern another agency sent, or a referral the MASH
    took (a call from a parent, a letter). Triaged by grades and closed by one decision."""

    __tablename__ = "mash_contacts"
    __table_args__ = (Index("ix_mash_contacts_mash_received", "mash_agency_id", "received_at"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    mash_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    source: Mapped[str] = mapped_column(String(20))  # "concern" or "referral"
    # A concern is sent to the MASH once.
    concern_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("child_concerns.id"), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime]
    referrer: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)


class TriageGrade(Entity):
    """One RAG grade given to a contact by a named MASH user; a regrade is a new row (the history)."""

    __tablename__ = "triage_grades"
    __table_args__ = (Index("ix_triage_grades_contact_graded", "contact_id", "graded_at"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mash_contacts.id"))
    grade: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)
    graded_by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    graded_by: Mapped[str] = mapped_column(String(300))
    graded_at: Mapped[datetime]
    due_at: Mapped[datetime]
    timescale: Mapped[str] = mapped_column(String(60))  # as configured when graded ("4 working hours")


class TriageDecision(Entity):
    """The MASH's decision on a contact and the next step, by a named MASH user. One per contact."""

    __tablename__ = "triage_decisions"

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mash_contacts.id"), unique=True)
    next_step: Mapped[str] = mapped_column(String(30))
    reasons: Mapped[str] = mapped_column(Text)
    decided_by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[str] = mapped_column(String(300))
    decided_at: Mapped[datetime]


class HelpRequest(Entity):
    """A child asked for help: the child's words exactly as typed, who they told, and the times by which
    it must be acknowledged and answered (fixed when recorded)."""

    __tablename__ = "help_requests"

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The MASH a request unanswered in time escalates to.
    mash_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    asked_at: Mapped[datetime]
    told_to: Mapped[str] = mapped_column(String(200))
    childs_words: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    shared_with_police: Mapped[bool] = mapped_column(default=False)
    acknowledge_due_at: Mapped[datetime]
    answer_due_at: Mapped[datetime]


class HelpRequestStep(Entity):
    """A step in a request for help: acknowledged, answered, escalated (for a late acknowledgement or a late
    answer) or closed. Each kind happens once per request, which makes escalation safe to re-run."""

    __tablename__ = "help_request_steps"
    __table_args__ = (UniqueConstraint("request_id", "kind"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("help_requests.id"))
    kind: Mapped[str] = mapped_column(String(30))
    acted_at: Mapped[datetime]
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    text: Mapped[str | None] = mapped_column(Text)
    # Closing only: the child's own view of the outcome, exactly as typed.
    childs_view: Mapped[str | None] = mapped_column(Text)
    # Escalations only: the time that was missed.
    missed_due_at: Mapped[datetime | None]
