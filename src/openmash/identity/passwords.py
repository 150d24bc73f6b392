"""Password hashing (argon2id) and the password rules users are held to."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openmash.config import Settings

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib)


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash("not-a-real-password-used-only-for-timing")


def verify_password(settings: Settings, stored_hash: str | None, password: str) -> bool:
    """Check a password; for an unknown user check a dummy hash so the timing reveals nothing."""
    ph = hasher(settings)
    target = stored_hash or _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib)
    try:
        ok = ph.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def needs_rehash(settings: Settings, stored_hash: str) -> bool:
    return hasher(settings).check_needs_rehash(stored_hash)


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, in words for the user, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if len(set(password)) < 4:
        return "Password must not repeat the same few characters"
    if email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 4:
        return "Password must not contain your email address"
    return None
