"""A child's status and flags: looked after (and the children's home they are placed in), the lead
professional, a child protection plan and a risk of CSE; and the badges that show them wherever the child
appears, so that no agency touches a flagged child without knowing it.

Only the MASH (``CHILDREN_MANAGE``) changes them; each change is audited with what it was before.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import PermissionDenied, ValidationFailed
from openmash.identity.models import Agency, User
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal, principal_for_user
from openmash.safeguarding.models import Child
from openmash.safeguarding.visibility import get_child


@dataclass(frozen=True)
class Badge:
    code: str
    label: str


def badges(child: Child) -> list[Badge]:
    """The flags to show beside the child's name, most serious first."""
    found = []
    if child.child_protection_plan:
        found.append(Badge("child_protection_plan", "Child protection plan"))
    if child.looked_after:
        found.append(Badge("looked_after", "Looked after"))
    if child.cse_risk:
        found.append(Badge("cse_risk", "Risk of child sexual exploitation"))
    return found


@dataclass(frozen=True)
class ChildStatus:
    """The whole of a child's status, as a form sets it."""

    looked_after: bool = False
    placement_agency_id: uuid.UUID | None = None
    lead_professional_user_id: uuid.UUID | None = None
    child_protection_plan: bool = False
    cse_risk: bool = False


def status_of(child: Child) -> ChildStatus:
    return ChildStatus(
        looked_after=child.looked_after,
        placement_agency_id=child.placement_agency_id,
        lead_professional_user_id=child.lead_professional_user_id,
        child_protection_plan=child.child_protection_plan,
        cse_risk=child.cse_risk,
    )


def _problems(session: Session, status: ChildStatus) -> dict[str, str]:
    errors: dict[str, str] = {}
    if status.placement_agency_id is not None:
        home = session.get(Agency, status.placement_agency_id)
        if home is None or home.type != AgencyType.CHILDRENS_HOME.value or not home.active:
            errors["placement_agency_id"] = "Select a children's home"
        elif not status.looked_after:
            errors["placement_agency_id"] = "Only a looked-after child has a placement recorded here"
    if status.lead_professional_user_id is not None:
        user = session.get(User, status.lead_professional_user_id)
        if user is None or not user.active:
            errors["lead_professional_user_id"] = "Select an active user"
        elif not principal_for_user(user).can(Permission.CHRONOLOGY_READ):
            errors["lead_professional_user_id"] = "The lead professional must be able to read a chronology"
    return errors


def set_status(
    session: Session, principal: Principal, child_id: uuid.UUID, status: ChildStatus, context: Context
) -> Child:
    """Set a child's status and flags (MASH only); audited with the fields changed, before and after."""
    if not principal.can(Permission.CHILDREN_MANAGE):
        raise PermissionDenied("Only the MASH changes a child's status and flags")
    child = get_child(session, child_id)
    errors = _problems(session, status)
    if errors:
        raise ValidationFailed(errors)
    before = asdict(status_of(child))
    after = asdict(status)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if not changed:
        return child
    child.looked_after = status.looked_after
    child.placement_agency_id = status.placement_agency_id
    child.lead_professional_user_id = status.lead_professional_user_id
    child.child_protection_plan = status.child_protection_plan
    child.cse_risk = status.cse_risk
    session.flush()
    audit.record(
        session,
        "safeguarding.child.status",
        principal.actor,
        object_type="child",
        object_id=child.id,
        context=context,
        details={"changed": changed},
    )
    return child
