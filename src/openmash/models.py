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
from openmash.safeguarding.models_care import (
    HelpRequest,
    HelpRequestStep,
    MashContact,
    MissingEpisode,
    MissingReturn,
    PhilomenaProfile,
    PhilomenaShare,
    ReturnInterview,
    TriageDecision,
    TriageGrade,
)

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
    "HelpRequest",
    "HelpRequestStep",
    "Licence",
    "LicenceEvent",
    "MashContact",
    "MatchEntry",
    "MatchKey",
    "MatchProposal",
    "MatchTermCount",
    "MissingEpisode",
    "MissingReturn",
    "Notice",
    "Person",
    "PersonAddress",
    "PersonName",
    "PhilomenaProfile",
    "PhilomenaShare",
    "ReturnInterview",
    "RiskScreening",
    "TriageDecision",
    "TriageGrade",
    "User",
    "UserRole",
    "UserSession",
    "Vehicle",
    "VehicleLicence",
]
