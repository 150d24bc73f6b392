"""Every table, imported in one place so that migrations and tests see the whole schema."""

from openmash.alerts.models import (
    Alert,
    AlertChild,
    AlertDelivery,
    AlertEvent,
    AlertRecipient,
    AlertRecord,
    AlertRule,
    EmailOutbox,
)
from openmash.audit.models import AuditChainHead, AuditRecord
from openmash.db.base import Base
from openmash.identity.models import Agency, ApiToken, User, UserRole, UserSession
from openmash.matching.models import MatchEntry, MatchKey, MatchProposal, MatchTermCount
from openmash.network.models import ConcernMention
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
from openmash.safeguarding.models_gate import ArrangedTransport, GateSighting
from openmash.safeguarding.models_support import CourtDate, SupportItem, SupportItemEvent

__all__ = [
    "Agency",
    "Alert",
    "AlertChild",
    "AlertDelivery",
    "AlertEvent",
    "AlertRecipient",
    "AlertRecord",
    "AlertRule",
    "ApiToken",
    "ArrangedTransport",
    "AuditChainHead",
    "AuditRecord",
    "Base",
    "Child",
    "ChildIdentifier",
    "Concern",
    "ConcernCategory",
    "ConcernMention",
    "CourtDate",
    "DetailsRequest",
    "DriverConcern",
    "EmailOutbox",
    "GateSighting",
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
    "SupportItem",
    "SupportItemEvent",
    "TriageDecision",
    "TriageGrade",
    "User",
    "UserRole",
    "UserSession",
    "Vehicle",
    "VehicleLicence",
]
