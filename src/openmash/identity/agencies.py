"""Creating and listing agencies."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.errors import Conflict, NotFoundError, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.identity.principal import Principal

# ONS/GSS codes of bodies that license taxis: E06/E07/E08/E09 councils, W06 Welsh unitary authorities,
# and E12000007 (London region, used by Transport for London).
GSS_LICENSING_CODE = re.compile(r"^(E0[6-9]|W06)\d{6}$|^E12000007$")
OTHER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


def validate_agency(type_: str, code: str, name: str) -> tuple[AgencyType, str, str]:
    errors: dict[str, str] = {}
    agency_type: AgencyType | None = None
    try:
        agency_type = AgencyType(type_)
    except ValueError:
        errors["type"] = "Select the type of agency"
    code = code.strip().upper()
    name = " ".join(name.split())
    if not code:
        errors["code"] = "Enter the agency code"
    elif agency_type is AgencyType.LICENSING_AUTHORITY and not GSS_LICENSING_CODE.match(code):
        errors["code"] = "Enter the authority's ONS (GSS) code, like E06000060"
    elif not OTHER_CODE.match(code):
        errors["code"] = "Code must be 2 to 40 letters, digits or hyphens"
    if not name:
        errors["name"] = "Enter the agency name"
    elif len(name) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    if errors or agency_type is None:
        raise ValidationFailed(errors)
    return agency_type, code, name


def create_agency(
    session: Session, actor: Actor, type_: str, code: str, name: str, context: Context | None = None
) -> Agency:
    agency_type, code, name = validate_agency(type_, code, name)
    if session.scalar(select(func.count()).select_from(Agency).where(Agency.code == code)):
        raise Conflict(f"An agency with code {code} already exists")
    agency = Agency(type=agency_type.value, code=code, name=name, active=True)
    session.add(agency)
    session.flush()
    audit.record(
        session,
        "agency.create",
        actor,
        object_type="agency",
        object_id=agency.id,
        context=context or audit.NO_CONTEXT,
        details={"type": agency.type, "code": code, "name": name},
    )
    return agency


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError("Agency not found")
    return agency


def find_by_code(session: Session, code: str) -> Agency | None:
    return session.scalars(select(Agency).where(Agency.code == code.strip().upper())).first()


def manageable_by(session: Session, principal: Principal) -> Sequence[Agency]:
    """The agencies whose users and tokens this admin may manage: every one for a national admin."""
    if principal.is_national:
        return list_agencies(session)
    return [get_agency(session, principal.agency_id)]


def list_agencies(session: Session) -> Sequence[Agency]:
    return session.scalars(select(Agency).order_by(Agency.type, Agency.name)).all()
