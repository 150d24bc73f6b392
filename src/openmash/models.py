"""Every table, imported in one place so that migrations and tests see the whole schema."""

from openmash.audit.models import AuditChainHead, AuditRecord
from openmash.db.base import Base
from openmash.identity.models import Agency, ApiToken, User, UserRole, UserSession
from openmash.matching.models import MatchEntry, MatchKey, MatchProposal, MatchTermCount
from openmash.register.models import (
    DetailsRequest,
    DriverConcern,
    Licence,
    LicenceEvent,
    Notice,
    Person,
    PersonAddress,
    PersonName,
    Vehicle,
    VehicleLicence,
)
from openmash.safeguarding.models import Child, ChildIdentifier, Concern, ConcernCategory, RiskScreening

__all__ = [
    "Agency",
    "ApiToken",
    "AuditChainHead",
    "AuditRecord",
    "Base",
    "Child",
    "ChildIdentifier",
    "Concern",
    "ConcernCategory",
    "DetailsRequest",
    "DriverConcern",
    "Licence",
    "LicenceEvent",
    "MatchEntry",
    "MatchKey",
    "MatchProposal",
    "MatchTermCount",
    "Notice",
    "Person",
    "PersonAddress",
    "PersonName",
    "RiskScreening",
    "User",
    "UserRole",
    "UserSession",
    "Vehicle",
    "VehicleLicence",
]
