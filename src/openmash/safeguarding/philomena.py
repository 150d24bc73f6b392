"""The Philomena profile: what carers of a looked-after child write down in advance (description,
vulnerabilities, associates, places, phone, social media, transport used, where the photograph is kept), so
that police have it at once when the child goes missing.

Why it is built this way:
- Versioned, never overwritten: each change is a new version (``philomena_profiles`` is append-only), so
  what police were given on a given day can always be shown, and a change is never lost.
- It belongs to the child, not to the placement, so it moves with them: the child's current children's home
  (``Child.placement_agency_id``) and whole-record viewers (the MASH, the lead professional) keep and read
  it, whichever home wrote the earlier versions. A version written by another agency is shown only with a
  stated purpose (``visibility.open_child(..., others_shown=True)``), and every view is audited.
- Police do not browse profiles: when a looked-after child is reported missing (and the report is shared with
  police), ``share_with_police`` freezes the current version with the day's details (clothing, where last
  seen) as a snapshot for police; the share is audited. With no profile kept, the day's details are still
  shared and the snapshot says that no profile was kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_care import MissingEpisode, PhilomenaProfile, PhilomenaShare
from openmash.safeguarding.visibility import Scope, get_child, may_see_record, open_child, scope_for

FIELDS = (
    "description",
    "vulnerabilities",
    "associates",
    "places",
    "phone",
    "social_media",
    "transport",
    "photo_reference",
)


@dataclass(frozen=True)
class ProfileInput:
    description: str
    vulnerabilities: str | None = None
    associates: str | None = None
    places: str | None = None
    phone: str | None = None
    social_media: str | None = None
    transport: str | None = None
    photo_reference: str | None = None
    change_note: str | None = None


def _keeps(principal: Principal, child: Child) -> bool:
    """Whole-record viewers and the child's current placement keep and read the profile."""
    return scope_for(principal, child) is Scope.WHOLE or (
        child.placement_agency_id is not None and principal.agency_id == child.placement_agency_id
    )


def versions(session: Session, child_id: uuid.UUID) -> list[PhilomenaProfile]:
    """Every version, newest first."""
    return list(
        session.scalars(
            select(PhilomenaProfile)
            .where(PhilomenaProfile.child_id == child_id)
            .order_by(PhilomenaProfile.version.desc())
        )
    )


def keep_profile(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: ProfileInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> PhilomenaProfile:
    """Write a new version of a looked-after child's profile (the current one if nothing changed)."""
    if not principal.can(Permission.PHILOMENA_KEEP):
        raise PermissionDenied("You do not have permission to keep Philomena profiles")
    child = get_child(session, child_id)
    if not _keeps(principal, child):
        raise PermissionDenied("Only the child's children's home and the MASH keep the child's profile")
    if not child.looked_after:
        raise Conflict("A Philomena profile is kept for looked-after children")
    now = now or utcnow()
    form = Form()
    values: dict[str, str | None] = {
        "description": form.text("description", data.description, required="Describe the child"),
        "vulnerabilities": form.text("vulnerabilities", data.vulnerabilities),
        "associates": form.text("associates", data.associates),
        "places": form.text("places", data.places),
        "phone": form.text("phone", data.phone, max_length=100),
        "social_media": form.text("social_media", data.social_media),
        "transport": form.text("transport", data.transport),
        "photo_reference": form.text("photo_reference", data.photo_reference, max_length=LINE_MAX_LENGTH),
    }
    note = form.text("change_note", data.change_note, max_length=500)
    form.check()
    current = next(iter(versions(session, child.id)), None)
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return current
    changed = [k for k in FIELDS if current is None or getattr(current, k) != values[k]]
    latest = session.scalar(
        select(func.max(PhilomenaProfile.version)).where(PhilomenaProfile.child_id == child.id)
    )
    profile = PhilomenaProfile(
        id=uuid.uuid4(),
        child_id=child.id,
        version=(latest or 0) + 1,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        change_note=note,
        **values,
    )
    session.add(profile)
    session.flush()
    audit.record(
        session,
        "safeguarding.philomena.keep",
        principal.actor,
        object_type="philomena_profile",
        object_id=profile.id,
        context=context,
        details={"child_id": str(child.id), "version": profile.version, "changed": changed},
    )
    return profile


def profile_history(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> list[PhilomenaProfile]:
    """Every version of the child's profile, newest first, for those who keep it; audited as a view of the
    child's record (a purpose is needed when a version was written by another agency)."""
    child = get_child(session, child_id)
    if not (principal.can(Permission.PHILOMENA_KEEP) or principal.can(Permission.CHILDREN_MANAGE)):
        raise PermissionDenied("You do not have permission to read Philomena profiles")
    if not _keeps(principal, child):
        raise PermissionDenied("Only the child's children's home and the MASH read the child's profile")
    found = versions(session, child.id)
    open_child(
        session,
        principal,
        child.id,
        purpose,
        context,
        action="safeguarding.philomena.view",
        details={"versions": [p.version for p in found]},
        others_shown=any(p.agency_id != principal.agency_id for p in found),
    )
    return found


def current_profile(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> PhilomenaProfile | None:
    return next(iter(profile_history(session, principal, child_id, purpose=purpose, context=context)), None)


def _snapshot(child: Child, profile: PhilomenaProfile | None, episode: MissingEpisode) -> dict[str, Any]:
    kept: dict[str, Any] | None = None
    if profile is not None:
        kept = {k: getattr(profile, k) for k in FIELDS}
        kept.update(version=profile.version, recorded_at=profile.recorded_at.isoformat())
    return {
        "child": {
            "surname": child.surname,
            "forenames": child.forenames,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
            "sex": child.sex,
        },
        "profile": kept,
        "missing": {
            "missing_since": episode.missing_since.isoformat(),
            "last_seen_where": episode.last_seen_where,
            "clothing": episode.clothing,
            "circumstances": episode.circumstances,
            "police_reference": episode.police_reference,
        },
    }


def share_with_police(
    session: Session,
    principal: Principal,
    child: Child,
    episode: MissingEpisode,
    context: Context,
    *,
    now: datetime,
) -> PhilomenaShare:
    """Freeze the current profile and the day's details for police (called on a missing report); audited."""
    profile = next(iter(versions(session, child.id)), None)
    share = PhilomenaShare(
        id=uuid.uuid4(),
        episode_id=episode.id,
        child_id=child.id,
        agency_id=principal.agency_id,
        shared_by_user_id=principal.id if principal.kind == "user" else None,
        shared_by=principal.label,
        shared_at=now,
        profile_id=profile.id if profile else None,
        profile_version=profile.version if profile else None,
        snapshot=_snapshot(child, profile, episode),
    )
    session.add(share)
    session.flush()
    audit.record(
        session,
        "safeguarding.philomena.share",
        principal.actor,
        object_type="philomena_share",
        object_id=share.id,
        context=context,
        details={
            "child_id": str(child.id),
            "episode_id": str(episode.id),
            "profile_version": share.profile_version,
        },
    )
    return share


@dataclass(frozen=True)
class ShareView:
    id: uuid.UUID
    episode_id: uuid.UUID
    shared_at: datetime
    shared_by: str
    profile_version: int | None
    snapshot: dict[str, Any]


def police_shares(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> list[ShareView]:
    """What was shared with police about the child, newest first: for police, whole-record viewers and the
    child's children's home (not for an agency that only reported the child missing). Audited."""
    child = get_child(session, child_id)
    scope = scope_for(principal, child)
    if scope is Scope.OWN_AGENCY and principal.agency_id != child.placement_agency_id:
        raise PermissionDenied("Only police, the MASH and the child's home see what was shared with police")
    opened = open_child(
        session, principal, child.id, purpose, context, action="safeguarding.philomena.shares"
    )
    shares = session.scalars(
        select(PhilomenaShare)
        .where(PhilomenaShare.child_id == child.id)
        .order_by(PhilomenaShare.shared_at.desc(), PhilomenaShare.id)
    )
    # Police and whole-record viewers see every share; the child's home the shares it made itself.
    return [_view(s) for s in shares if may_see_record(principal, opened.scope, s.agency_id, True)]


def _view(share: PhilomenaShare) -> ShareView:
    return ShareView(
        id=share.id,
        episode_id=share.episode_id,
        shared_at=share.shared_at,
        shared_by=share.shared_by,
        profile_version=share.profile_version,
        snapshot=share.snapshot,
    )
