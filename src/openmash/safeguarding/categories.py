"""The taxonomy of concerns: categories an administrator keeps, seeded with the CSE indicators of the
published screening tools (shared/docs/domain.md), each with its indicator kind and the points it scores.

The seed is a service, not migration data: it runs on every ``demo load`` and in tests, is idempotent (a
category already there, by code, is left exactly as the administrator made it), and so never undoes an
administrator's change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission, Role
from openmash.identity.principal import Principal
from openmash.safeguarding.models import ConcernCategory


class IndicatorKind(StrEnum):
    VULNERABILITY = "vulnerability"
    MODERATE = "moderate"
    SIGNIFICANT = "significant"
    OTHER = "other"  # recorded and shown, never scored


# Points a current indicator scores by default (domain.md: 1 per vulnerability or moderate indicator,
# 5 per current significant one).
DEFAULT_WEIGHTS: dict[IndicatorKind, int] = {
    IndicatorKind.VULNERABILITY: 1,
    IndicatorKind.MODERATE: 1,
    IndicatorKind.SIGNIFICANT: 5,
    IndicatorKind.OTHER: 0,
}

POLICE_AND_MASH = (Role.POLICE_ANALYST, Role.MASH_PRACTITIONER, Role.MASH_MANAGER)


@dataclass(frozen=True)
class Seed:
    code: str
    label: str
    kind: IndicatorKind
    asks_for_vehicle: bool = False
    restricted_to: tuple[Role, ...] = ()


_V, _M, _S, _O = (
    IndicatorKind.VULNERABILITY,
    IndicatorKind.MODERATE,
    IndicatorKind.SIGNIFICANT,
    IndicatorKind.OTHER,
)

DEFAULT_CATEGORIES: tuple[Seed, ...] = (
    # Vulnerabilities
    Seed("neglect_or_abuse", "Neglect or abuse", _V),
    Seed("domestic_abuse_in_family", "Domestic abuse in the family", _V),
    Seed("family_substance_misuse_or_mental_ill_health", "Family substance misuse or mental ill-health", _V),
    Seed("low_self_esteem", "Low self-esteem", _V),
    Seed("unsuitable_accommodation", "Unsuitable accommodation", _V),
    Seed("isolation", "Isolation", _V),
    Seed("looked_after", "Being looked after", _V),
    Seed("learning_disability", "Learning disability", _V),
    # Moderate indicators
    Seed("staying_out_late", "Staying out late", _M),
    Seed("going_missing", "Going missing", _M),
    Seed("multiple_unknown_callers", "Multiple unknown callers", _M),
    Seed("concerning_phone_or_internet_use", "Concerning phone or internet use", _M),
    Seed("self_harm", "Self-harm, overdose or eating disorder", _M),
    Seed("school_absence_or_exclusion", "School absence or exclusion", _M),
    Seed("disclosure_then_withdrawal", "Disclosure then withdrawal of an assault", _M),
    Seed("sexually_transmitted_infection", "Sexually transmitted infection", _M),
    Seed("drugs_or_alcohol", "Drugs or alcohol", _M),
    Seed("unexplained_money_or_gifts", "Unexplained money, phones, clothes or gifts", _M),
    Seed("unknown_or_older_adults", "Associating with unknown or older adults", _M),
    # Significant indicators
    Seed("cars_with_unknown_adults", "Getting into cars with unknown adults", _S, asks_for_vehicle=True),
    Seed(
        "picked_up_by_taxi_or_car",
        "Picked up from school or home by a taxi or car not arranged by carers",
        _S,
        asks_for_vehicle=True,
    ),
    Seed("association_with_risky_adults", "Known association with adults who pose a CSE risk", _S),
    Seed("online_grooming", "Online grooming", _S),
    Seed("moved_between_towns", "Being moved between towns", _S),
    Seed("disclosure_of_exploitation", "Disclosure of sexual exploitation", _S),
    Seed("clipping", "Clipping", _S),
    # Other
    Seed("general_welfare", "Other welfare concern", _O),
    Seed("police_intelligence", "Police intelligence", _O, restricted_to=POLICE_AND_MASH),
)


def seed_default_categories(session: Session) -> int:
    """Add the default categories not yet present (by code); returns how many were added."""
    present = set(session.scalars(select(ConcernCategory.code)))
    added = 0
    for order, seed in enumerate(DEFAULT_CATEGORIES):
        if seed.code in present:
            continue
        session.add(
            ConcernCategory(
                code=seed.code,
                label=seed.label,
                indicator_kind=str(seed.kind),
                weight=DEFAULT_WEIGHTS[seed.kind],
                restricted_to_roles=" ".join(sorted(str(r) for r in seed.restricted_to)),
                asks_for_vehicle=seed.asks_for_vehicle,
                active=True,
                sort_order=(order + 1) * 10,
            )
        )
        added += 1
    session.flush()
    return added


def list_categories(session: Session, *, include_inactive: bool = False) -> list[ConcernCategory]:
    query = select(ConcernCategory).order_by(ConcernCategory.sort_order, ConcernCategory.code)
    if not include_inactive:
        query = query.where(ConcernCategory.active.is_(True))
    return list(session.scalars(query))


def get_category(session: Session, code: str) -> ConcernCategory:
    category = session.scalars(select(ConcernCategory).where(ConcernCategory.code == code)).first()
    if category is None:
        raise NotFoundError("Concern category not found")
    return category


def _roles(names: Iterable[str]) -> str:
    wanted = {name.strip() for name in names if name.strip()}
    unknown = wanted - set(Role._value2member_map_)
    if unknown:
        raise ValidationFailed({"restricted_to_roles": f"Unknown roles: {', '.join(sorted(unknown))}"})
    return " ".join(sorted(wanted))


def save_category(
    session: Session,
    principal: Principal,
    *,
    code: str,
    label: str,
    indicator_kind: str,
    weight: int | None = None,
    restricted_to_roles: Iterable[str] = (),
    asks_for_vehicle: bool = False,
    active: bool = True,
    create: bool,
    context: Context,
) -> ConcernCategory:
    """Add a category (``create``) or change one; the national administrator only; audited."""
    if not principal.can(Permission.CATEGORIES_MANAGE):
        raise PermissionDenied("Only the national administrator changes the categories of concern")
    errors: dict[str, str] = {}
    if indicator_kind not in IndicatorKind._value2member_map_:
        errors["indicator_kind"] = "Select vulnerability, moderate, significant or other"
    if not label.strip():
        errors["label"] = "Enter a label"
    if weight is not None and not 0 <= weight <= 100:
        errors["weight"] = "Enter points from 0 to 100"
    if create and not code.strip():
        errors["code"] = "Enter a code"
    if errors:
        raise ValidationFailed(errors)
    roles = _roles(restricted_to_roles)
    points = weight if weight is not None else DEFAULT_WEIGHTS[IndicatorKind(indicator_kind)]
    existing = session.scalars(select(ConcernCategory).where(ConcernCategory.code == code.strip())).first()
    if create:
        if existing is not None:
            raise Conflict("A category with this code already exists")
        category = ConcernCategory(id=uuid.uuid4(), code=code.strip(), sort_order=1000)
        session.add(category)
    elif existing is None:
        raise NotFoundError("Concern category not found")
    else:
        category = existing
    before = _snapshot(category) if not create else None
    category.label = label.strip()
    category.indicator_kind = indicator_kind
    category.weight = points
    category.restricted_to_roles = roles
    category.asks_for_vehicle = asks_for_vehicle
    category.active = active
    session.flush()
    _audit(session, principal.actor, category, before, context)
    return category


def _snapshot(category: ConcernCategory) -> dict[str, object]:
    return {
        "label": category.label,
        "indicator_kind": category.indicator_kind,
        "weight": category.weight,
        "restricted_to_roles": category.restricted_to_roles,
        "asks_for_vehicle": category.asks_for_vehicle,
        "active": category.active,
    }


def _audit(
    session: Session,
    actor: Actor,
    category: ConcernCategory,
    before: dict[str, object] | None,
    context: Context,
) -> None:
    audit.record(
        session,
        "safeguarding.category.save",
        actor,
        object_type="concern_category",
        object_id=category.id,
        context=context,
        details={"code": category.code, "before": before, "after": _snapshot(category)},
    )
