"""Words for the register's codes, shared by notices, forms and pages (one place, so they always agree)."""

from __future__ import annotations

LICENCE_TYPES: dict[str, str] = {
    "hackney_carriage_driver": "hackney carriage driver",
    "private_hire_driver": "private hire driver",
    "dual_driver": "dual (hackney carriage and private hire) driver",
    "private_hire_operator": "private hire operator",
}

# What an officer records, in the order the decision form offers them.
DECISIONS: dict[str, str] = {
    "applied": "Application received",
    "granted": "Granted",
    "renewed": "Renewed",
    "refused": "Refused (including a refused renewal)",
    "suspended": "Suspended",
    "suspension_lifted": "Suspension lifted",
    "revoked": "Revoked",
    "surrendered": "Surrendered",
    "expired": "Expired",
}

# A decision as a noun, for notices: "a revocation of a private hire driver licence".
DECISION_NOUNS: dict[str, str] = {
    "applied": "an application",
    "granted": "a grant",
    "renewed": "a renewal",
    "refused": "a refusal",
    "suspended": "a suspension",
    "suspension_lifted": "the lifting of a suspension",
    "revoked": "a revocation",
    "surrendered": "a surrender",
    "expired": "an expiry",
}

REASONS: dict[str, str] = {
    "sexual_offence_or_safeguarding": "Sexual offence or safeguarding",
    "violence": "Violence",
    "dishonesty": "Dishonesty",
    "drugs": "Drugs",
    "driving": "Driving",
    "other": "Other",
}

CONCERN_KINDS: dict[str, str] = {
    "complaint": "Complaint",
    "intelligence": "Intelligence",
    "police_information": "Police information",
}

NOTICE_KINDS: dict[str, str] = {
    "duty_to_share_decision": "Decision by another authority",
    "duty_to_share_correction": "Correction of a shared decision",
    "duty_to_share_concern": "Safeguarding concern",
    "details_request": "Request for details",
    "details_answered": "Request answered",
    "details_withdrawn": "Request withdrawn",
    "details_overdue": "Request overdue",
}


def licence_type(code: str) -> str:
    return LICENCE_TYPES.get(code, code.replace("_", " "))


def reason(code: str | None) -> str:
    return REASONS.get(code, code.replace("_", " ")).lower() if code else ""
