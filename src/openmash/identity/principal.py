"""The signed-in user or API token making a request, with everything authorisation needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from openmash.audit.service import Actor
from openmash.identity.models import ApiToken, User
from openmash.identity.permissions import AgencyType, Permission, Role, permissions_for, token_grantable_for


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "token"]
    id: uuid.UUID
    label: str
    display_name: str
    agency_id: uuid.UUID
    agency_code: str
    agency_name: str
    agency_type: AgencyType
    roles: frozenset[Role]
    permissions: frozenset[Permission]
    session_id: uuid.UUID | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def is_national(self) -> bool:
        return self.agency_type is AgencyType.NATIONAL_ADMIN

    @property
    def actor(self) -> Actor:
        return Actor(
            label=self.label,
            user_id=self.id if self.kind == "user" else None,
            token_id=self.id if self.kind == "token" else None,
            agency_id=self.agency_id,
            agency_code=self.agency_code,
        )


def user_roles(user: User) -> frozenset[Role]:
    return frozenset(Role(r) for r in user.role_names if r in Role._value2member_map_)


def principal_for_user(user: User, session_id: uuid.UUID | None = None) -> Principal:
    agency_type = AgencyType(user.agency.type)
    roles = user_roles(user)
    return Principal(
        kind="user",
        id=user.id,
        label=user.email,
        display_name=user.full_name,
        agency_id=user.agency_id,
        agency_code=user.agency.code,
        agency_name=user.agency.name,
        agency_type=agency_type,
        roles=roles,
        permissions=permissions_for(roles, agency_type),
        session_id=session_id,
    )


def principal_for_token(token: ApiToken) -> Principal:
    agency_type = AgencyType(token.agency.type)
    named = frozenset(Permission(p) for p in token.permission_names if p in Permission._value2member_map_)
    perms = named & token_grantable_for(agency_type)
    return Principal(
        kind="token",
        id=token.id,
        label=f"token:{token.name}",
        display_name=token.name,
        agency_id=token.agency_id,
        agency_code=token.agency.code,
        agency_name=token.agency.name,
        agency_type=agency_type,
        roles=frozenset(),
        permissions=perms,
    )
