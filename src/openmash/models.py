"""Every table, imported in one place so that migrations and tests see the whole schema."""

from openmash.audit.models import AuditChainHead, AuditRecord
from openmash.db.base import Base
from openmash.identity.models import Agency, ApiToken, User, UserRole, UserSession

__all__ = ["Agency", "ApiToken", "AuditChainHead", "AuditRecord", "Base", "User", "UserRole", "UserSession"]
