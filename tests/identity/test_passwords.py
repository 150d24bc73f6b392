"""Passwords are hashed with argon2, checked in constant work, and held to simple rules."""

from __future__ import annotations

from openmash.config import Settings
from openmash.identity import passwords


def test_a_hash_is_argon2id_and_verifies_only_the_right_password(settings: Settings) -> None:
    stored = passwords.hash_password(settings, "a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert "a long enough passphrase" not in stored
    assert passwords.verify_password(settings, stored, "a long enough passphrase")
    assert not passwords.verify_password(settings, stored, "a long enough passphrasE")


def test_an_unknown_user_never_verifies(settings: Settings) -> None:
    assert not passwords.verify_password(settings, None, "anything at all")


def test_hashes_made_with_weaker_parameters_are_upgraded(settings: Settings) -> None:
    stronger = settings.model_copy(update={"argon2_time_cost": 2})
    old = passwords.hash_password(settings, "a long enough passphrase")
    assert passwords.needs_rehash(stronger, old)
    assert not passwords.needs_rehash(settings, old)


def test_password_rules() -> None:
    assert passwords.password_problem("short") is not None
    assert passwords.password_problem("aaaaaaaaaaaaaaaa") is not None
    assert passwords.password_problem("jsmith-is-my-password", "jsmith@example.invalid") is not None
    assert passwords.password_problem("x" * 300) is not None
    assert passwords.password_problem("correct horse battery staple") is None
