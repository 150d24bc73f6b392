"""Alert rules as data: each rule has a kind (what it checks, in code), parameters (thresholds, windows: data)
and an enabled flag. The defaults follow domain.md and issue 8; an administrator changes them.

Seeding is a service, not migration data (as the taxonomy of concerns): idempotent, it adds the rules whose
code is missing and never touches one already there, so it never undoes an administrator's change. The
evaluators call it, so a hub never runs without its rules. The rules are national, like the taxonomy: only
the national administrator changes them (``ALERT_RULES_MANAGE``), each change audited before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.alerts.models import AlertRule
from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network.links import Kind as EntityKind
from openmash.safeguarding.risk import BANDS


class RuleKind(StrEnum):
    FLAGGED_CHILD_TOUCHED = "flagged_child_touched"
    RISK_THRESHOLD = "risk_threshold"
    REPEAT_LOW_LEVEL = "repeat_low_level"
    RETURN_INTERVIEW_OVERDUE = "return_interview_overdue"
    HELP_REQUEST_OVERDUE = "help_request_overdue"
    SHARED_ENTITY = "shared_entity"
    GATE_UNLICENSED_REPEAT = "gate_unlicensed_repeat"
    GATE_DRIVER_FLAGGED = "gate_driver_flagged"
    SUPPORT_GAP = "support_gap"


FLAGS = ("child_protection_plan", "looked_after", "cse_risk")


@dataclass(frozen=True)
class RuleSeed:
    code: str
    kind: RuleKind
    label: str
    parameters: dict[str, Any]


DEFAULT_RULES: tuple[RuleSeed, ...] = (
    RuleSeed(
        "flagged_child_touched",
        RuleKind.FLAGGED_CHILD_TOUCHED,
        "A flagged child was recorded about by another agency",
        # Records made within the window by an agency other than the lead professional's.
        {"flags": list(FLAGS), "window_days": 7},
    ),
    RuleSeed(
        "risk_threshold",
        RuleKind.RISK_THRESHOLD,
        "Indicators of exploitation have reached the risk threshold",
        {"band": "moderate"},
    ),
    RuleSeed(
        "repeat_low_level",
        RuleKind.REPEAT_LOW_LEVEL,
        "Repeated low-level concerns from different agencies",
        {"count": 3, "window_days": 30, "min_agencies": 2},
    ),
    RuleSeed(
        "return_interview_overdue",
        RuleKind.RETURN_INTERVIEW_OVERDUE,
        "A return home interview is overdue",
        {},
    ),
    RuleSeed(
        "help_request_overdue",
        RuleKind.HELP_REQUEST_OVERDUE,
        "A child's request for help has not been acknowledged or answered in time",
        {},
    ),
    RuleSeed(
        "shared_entity",
        RuleKind.SHARED_ENTITY,
        "Two or more children are linked to the same vehicle, driver, adult, address or phone number",
        {"min_children": 2, "kinds": ["vehicle", "driver", "adult", "phone", "address"]},
    ),
    RuleSeed(
        "gate_unlicensed_repeat",
        RuleKind.GATE_UNLICENSED_REPEAT,
        "An unlicensed car was checked at a gate more than once",
        {"min_sightings": 2, "window_days": 90},
    ),
    RuleSeed(
        "gate_driver_flagged",
        RuleKind.GATE_DRIVER_FLAGGED,
        "A car checked at a gate is tied to a driver with a safeguarding record in the register",
        {},
    ),
    RuleSeed(
        "support_gap",
        RuleKind.SUPPORT_GAP,
        "A child has no support open in the weeks after a verdict",
        # A verdict in the last ``window_weeks`` and no support item open (none, or all paused or closed).
        {"window_weeks": 12},
    ),
)

# What each kind's parameters are: name -> a check of the value, and what to say when it fails.
_POSITIVE = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a whole number, 1 or more")
_AT_LEAST_TWO = (
    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 2,
    "a whole number, 2 or more",
)
PARAMETERS: dict[RuleKind, dict[str, tuple[Any, str]]] = {
    RuleKind.FLAGGED_CHILD_TOUCHED: {
        "flags": (
            lambda v: isinstance(v, list) and v and set(v) <= set(FLAGS),
            f"some of {', '.join(FLAGS)}",
        ),
        "window_days": _POSITIVE,
    },
    RuleKind.RISK_THRESHOLD: {"band": (lambda v: v in BANDS, f"one of {', '.join(BANDS)}")},
    RuleKind.REPEAT_LOW_LEVEL: {"count": _AT_LEAST_TWO, "window_days": _POSITIVE, "min_agencies": _POSITIVE},
    RuleKind.RETURN_INTERVIEW_OVERDUE: {},
    RuleKind.HELP_REQUEST_OVERDUE: {},
    RuleKind.SHARED_ENTITY: {
        "min_children": _AT_LEAST_TWO,
        "kinds": (
            lambda v: isinstance(v, list) and v and set(v) <= {str(k) for k in EntityKind},
            f"some of {', '.join(str(k) for k in EntityKind)}",
        ),
    },
    RuleKind.GATE_UNLICENSED_REPEAT: {"min_sightings": _AT_LEAST_TWO, "window_days": _POSITIVE},
    RuleKind.GATE_DRIVER_FLAGGED: {},
    RuleKind.SUPPORT_GAP: {"window_weeks": _POSITIVE},
}


def seed_default_rules(session: Session) -> int:
    """Add the default rules not yet present (by code); returns how many were added."""
    present = set(session.scalars(select(AlertRule.code)))
    added = 0
    for seed in DEFAULT_RULES:
        if seed.code in present:
            continue
        session.add(
            AlertRule(
                code=seed.code,
                kind=str(seed.kind),
                label=seed.label,
                enabled=True,
                parameters=dict(seed.parameters),
            )
        )
        added += 1
    if added:
        session.flush()
    return added


def enabled_rules(session: Session, kinds: set[RuleKind]) -> list[AlertRule]:
    """The enabled rules of these kinds (seeding the defaults first, if any is missing)."""
    seed_default_rules(session)
    return list(
        session.scalars(
            select(AlertRule)
            .where(AlertRule.enabled.is_(True), AlertRule.kind.in_(sorted(str(k) for k in kinds)))
            .order_by(AlertRule.code)
        )
    )


def parameter(rule: AlertRule, name: str) -> Any:
    """A rule's parameter, or its kind's default when the administrator left it out."""
    if name in rule.parameters:
        return rule.parameters[name]
    for seed in DEFAULT_RULES:
        if str(seed.kind) == rule.kind and name in seed.parameters:
            return seed.parameters[name]
    raise KeyError(name)


def check_parameters(kind: str, parameters: dict[str, Any]) -> None:
    known = PARAMETERS.get(RuleKind(kind), {})
    errors: dict[str, str] = {}
    for name, value in parameters.items():
        if name not in known:
            errors[name] = "This rule has no such setting"
            continue
        check, message = known[name]
        if not check(value):
            errors[name] = f"Give {message}"
    if errors:
        raise ValidationFailed(errors)


def list_rules(session: Session, principal: Principal) -> list[AlertRule]:
    if not (principal.can(Permission.ALERT_RULES_MANAGE) or principal.can(Permission.ALERTS_READ)):
        raise PermissionDenied("You do not have permission to see alert rules")
    seed_default_rules(session)
    return list(session.scalars(select(AlertRule).order_by(AlertRule.code)))


def update_rule(
    session: Session,
    principal: Principal,
    code: str,
    *,
    enabled: bool,
    parameters: dict[str, Any],
    context: Context,
) -> AlertRule:
    """Turn a rule on or off and set its parameters (the national administrator); audited before/after."""
    if not principal.can(Permission.ALERT_RULES_MANAGE):
        raise PermissionDenied("Only the national administrator changes alert rules")
    rule = session.scalars(select(AlertRule).where(AlertRule.code == code)).first()
    if rule is None:
        raise NotFoundError("Alert rule not found")
    check_parameters(rule.kind, parameters)
    before = {"enabled": rule.enabled, "parameters": dict(rule.parameters)}
    rule.enabled = enabled
    rule.parameters = dict(parameters)
    session.flush()
    audit.record(
        session,
        "alerts.rule.update",
        principal.actor,
        object_type="alert_rule",
        object_id=rule.id,
        context=context,
        details={"code": code, "before": before, "after": {"enabled": enabled, "parameters": parameters}},
    )
    return rule
