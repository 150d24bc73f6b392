"""CSE risk screening computed from the concerns every agency recorded, with a stored history, and a
practitioner's professional judgement that may raise the grade (never lower it), with reasons.

The scheme (shared/docs/domain.md; docs/decisions/0005-safeguarding-hub.md for how it is read):
- An indicator is a category of concern present in the child's record; each scores once however many
  concerns show it, the points of its category (``ConcernCategory.weight``: 1 per vulnerability or moderate
  indicator, 5 per significant one, by default) when its latest concern is current (within 6 months);
  a significant indicator last seen 6 to 12 months ago scores 1. Categories of kind "other" never score.
- Bands: 0-5 not at risk, 6-10 mild, 11-15 moderate, 16 and more significant.
- Overrides: a child under 13, or with a learning disability, is never graded below moderate when any
  indicator is present; for a child of 13 or under, any current significant indicator means significant.

Who sees what: the score and bands count every agency's concerns (that is the point of the hub), but an
indicator in a restricted category (``visibility.may_see_category``) is shown only to the roles it names: the
screenings handed to anyone else leave it out and say how many were withheld.

Where the numbers live: the points of each category are data (the taxonomy table, which an administrator
keeps); the windows, the bands and the override ages are a ``RiskConfig`` passed in (defaults below), and each
screening stores the configuration it used, so an old screening still explains itself after a change.
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register.workdays import UK
from openmash.safeguarding.categories import IndicatorKind
from openmash.safeguarding.concerns import current_concerns
from openmash.safeguarding.models import Child, Concern, ConcernCategory, RiskScreening
from openmash.safeguarding.visibility import (
    Scope,
    may_see_category,
    may_see_screenings,
    open_child,
    visible_concern_ids,
)

NOT_AT_RISK, MILD, MODERATE, SIGNIFICANT = "not_at_risk", "mild", "moderate", "significant"
BANDS: tuple[str, ...] = (NOT_AT_RISK, MILD, MODERATE, SIGNIFICANT)
BAND_LABELS = {NOT_AT_RISK: "Not at risk", MILD: "Mild", MODERATE: "Moderate", SIGNIFICANT: "Significant"}
LEARNING_DISABILITY_CATEGORY = "learning_disability"
REASONS_MAX_LENGTH = 5000


@dataclass(frozen=True)
class RiskConfig:
    """Windows, bands and overrides of the scheme (the points of each category are in the taxonomy)."""

    current_months: int = 6
    lapse_months: int = 12
    lapsed_significant_points: int = 1
    # (lowest score, band), from 0 upwards.
    bands: tuple[tuple[int, str], ...] = ((0, NOT_AT_RISK), (6, MILD), (11, MODERATE), (16, SIGNIFICANT))
    floor_band: str = MODERATE  # never below this, for the young and for a learning disability
    floor_below_age: int = 13  # "under 13"
    significant_up_to_age: int = 13  # "13 or under"

    def __post_init__(self) -> None:
        lows = [low for low, _ in self.bands]
        if not self.bands or lows[0] != 0 or lows != sorted(set(lows)):
            raise ValueError("bands must start at 0 and rise")
        if any(band not in BANDS for _, band in self.bands) or self.floor_band not in BANDS:
            raise ValueError(f"bands must be among {', '.join(BANDS)}")
        if not 0 < self.current_months <= self.lapse_months:
            raise ValueError("the current window must be within the lapse window")

    def band_of(self, score: int) -> str:
        return [band for low, band in self.bands if score >= low][-1]


DEFAULT_CONFIG = RiskConfig()


def rank(band: str) -> int:
    return BANDS.index(band)


def months_before(moment: datetime, months: int) -> datetime:
    """The same time ``months`` calendar months earlier (31 March less one month is 28 or 29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Indicator:
    category: str
    label: str
    kind: str
    points: int
    current: bool
    latest: datetime
    concern_ids: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "latest": self.latest.isoformat(), "concern_ids": list(self.concern_ids)}


@dataclass(frozen=True)
class Assessment:
    score: int
    scored_band: str
    computed_band: str
    age: int | None
    indicators: list[Indicator] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)


def assess(child: Child, concerns: Sequence[Concern], at: datetime, config: RiskConfig) -> Assessment:
    """The score, bands and overrides of the child's (current-version) concerns as they stood at ``at``."""
    current_from = months_before(at, config.current_months)
    lapse_from = months_before(at, config.lapse_months)
    by_category: dict[str, list[Concern]] = defaultdict(list)
    for concern in concerns:
        if concern.category.indicator_kind != IndicatorKind.OTHER and concern.occurred_at <= at:
            by_category[concern.category.code].append(concern)
    indicators: list[Indicator] = []
    for found in by_category.values():
        category = found[0].category
        latest = max(c.occurred_at for c in found)
        significant = category.indicator_kind == IndicatorKind.SIGNIFICANT
        if latest >= current_from:
            points, current = category.weight, True
        elif significant and latest >= lapse_from:
            points, current = config.lapsed_significant_points, False
        else:
            continue
        in_window = [c for c in found if c.occurred_at >= (current_from if current else lapse_from)]
        indicators.append(
            Indicator(
                category=category.code,
                label=category.label,
                kind=category.indicator_kind,
                points=points,
                current=current,
                latest=latest,
                concern_ids=tuple(str(c.id) for c in sorted(in_window, key=lambda c: c.occurred_at)),
            )
        )
    indicators.sort(key=lambda i: (rank_kind(i.kind), -i.points, i.category))
    score = sum(i.points for i in indicators)
    scored = config.band_of(score)
    band = scored
    overrides: list[str] = []
    age = age_on(child.date_of_birth, at.astimezone(UK).date())
    young = age is not None and age < config.floor_below_age
    disabled = child.learning_disability or LEARNING_DISABILITY_CATEGORY in {i.category for i in indicators}
    if indicators and (young or disabled) and rank(band) < rank(config.floor_band):
        who = f"under {config.floor_below_age} (age {age})" if young else "with a learning disability"
        overrides.append(
            f"A child {who} with an indicator present is never graded below {BAND_LABELS[config.floor_band]}"
        )
        band = config.floor_band
    current_significant = any(i.kind == IndicatorKind.SIGNIFICANT and i.current for i in indicators)
    young_enough = age is not None and age <= config.significant_up_to_age
    if young_enough and current_significant and band != SIGNIFICANT:
        overrides.append(
            f"A child of {config.significant_up_to_age} or under (age {age}) with a current significant "
            "indicator is graded Significant"
        )
        band = SIGNIFICANT
    if age is None:
        overrides.append("Date of birth not known: the age overrides could not be applied")
    return Assessment(score, scored, band, age, indicators, overrides)


def rank_kind(kind: str) -> int:
    order = (IndicatorKind.SIGNIFICANT, IndicatorKind.MODERATE, IndicatorKind.VULNERABILITY)
    return [str(k) for k in order].index(kind) if kind in {str(k) for k in order} else len(order)


def _judgement(
    computed: str, judgement_band: str | None, judgement_reasons: str | None
) -> tuple[str | None, str | None]:
    if judgement_band is None or not judgement_band.strip():
        return None, None
    errors: dict[str, str] = {}
    reasons = (judgement_reasons or "").strip()
    if judgement_band not in BANDS:
        errors["judgement_band"] = "Select a grade"
    elif rank(judgement_band) < rank(computed):
        errors["judgement_band"] = (
            f"Professional judgement may raise the grade, never lower it below {BAND_LABELS[computed]}"
        )
    if not reasons:
        errors["judgement_reasons"] = "Give the reasons for your professional judgement"
    elif len(reasons) > REASONS_MAX_LENGTH:
        errors["judgement_reasons"] = f"The reasons must be {REASONS_MAX_LENGTH} characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    return judgement_band, reasons


def as_seen_by(session: Session, principal: Principal, screening: RiskScreening) -> RiskScreening:
    """The screening as this viewer may see it: indicators in categories their roles may not see are left out,
    with a note saying how many, and so is any indicator resting on a concern that a later correction moved
    out of the viewer's sight, whole: its date, whether it is current and its points come from its concerns
    (the latest above all), so showing it without the hidden one would still tell when that happened.
    Screenings are for whole-record viewers, so only the category part of need-to-know can withhold. A copy
    never added to the session when anything is left out (the stored screening is history, never changed)."""
    codes = sorted({str(i.get("category")) for i in screening.indicators})
    found = session.scalars(select(ConcernCategory).where(ConcernCategory.code.in_(codes)))
    hidden = {c.code for c in found if not may_see_category(principal, c)}
    ids = {uuid.UUID(str(c)) for i in screening.indicators for c in i.get("concern_ids", [])}
    visible = {
        str(c)
        for c in visible_concern_ids(session, principal, Scope.WHOLE, ids, child_ids=[screening.child_id])
    }
    indicators = [
        given
        for given in screening.indicators
        if given.get("category") not in hidden
        and all(str(c) in visible for c in given.get("concern_ids", []))
    ]
    if indicators == list(screening.indicators):
        return screening
    values = {a.key: getattr(screening, a.key) for a in inspect(RiskScreening).column_attrs}
    withheld = len(screening.indicators) - len(indicators)
    values["indicators"] = indicators
    if withheld:
        note = (
            f"{withheld} {'indicator is' if withheld == 1 else 'indicators are'} withheld: in a restricted "
            "category your role may not see, or resting on a record now in one (the score counts it)"
        )
        values["overrides"] = [*screening.overrides, note]
    return RiskScreening(**values)


def screen_child(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    *,
    purpose: str | None,
    context: Context,
    judgement_band: str | None = None,
    judgement_reasons: str | None = None,
    now: datetime | None = None,
    config: RiskConfig = DEFAULT_CONFIG,
) -> RiskScreening:
    """Screen a child now (the MASH), optionally raising the grade on professional judgement; the screening
    is kept as history and the view of the record it reads is audited. Judgement is a named person's: an API
    token (the MASH's system) may screen, but giving a judgement from one is refused (docs/decisions/0009)."""
    if not principal.can(Permission.RISK_SCREEN):
        raise PermissionDenied("Only the MASH screens a child for risk")
    judging = bool((judgement_band or "").strip() or (judgement_reasons or "").strip())
    if judging and principal.kind != "user":
        raise ValidationFailed(
            {
                "judgement_band": "Professional judgement is a named person's: record it signed in as "
                "yourself, not through an API token"
            }
        )
    now = now or utcnow()
    opened = open_child(session, principal, child_id, purpose, context, action="safeguarding.risk.screen")
    child = opened.child
    assessed = assess(child, current_concerns(session, child.id), now, config)
    band, reasons = _judgement(assessed.computed_band, judgement_band, judgement_reasons)
    screening = RiskScreening(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        screened_by_user_id=principal.id if principal.kind == "user" else None,
        screened_by=principal.label,
        screened_at=now,
        score=assessed.score,
        scored_band=assessed.scored_band,
        computed_band=assessed.computed_band,
        judgement_band=band,
        judgement_reasons=reasons,
        final_band=band or assessed.computed_band,
        indicators=[i.as_dict() for i in assessed.indicators],
        overrides=assessed.overrides,
        config={**asdict(config), "bands": [list(b) for b in config.bands]},
    )
    session.add(screening)
    session.flush()
    return as_seen_by(session, principal, screening)


def screening_history(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> list[RiskScreening]:
    """A child's screenings, newest first: for those who see the whole record (the MASH, the lead
    professional), each as the viewer may see it (``as_seen_by``). Audited as a view of the record."""
    opened = open_child(session, principal, child_id, purpose, context, action="safeguarding.risk.history")
    if not may_see_screenings(opened.scope):
        raise PermissionDenied("Only the MASH and the child's lead professional see risk screenings")
    return [
        as_seen_by(session, principal, s)
        for s in session.scalars(
            select(RiskScreening)
            .where(RiskScreening.child_id == opened.child.id)
            .order_by(RiskScreening.screened_at.desc(), RiskScreening.id)
        )
    ]
