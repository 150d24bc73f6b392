"""Errors raised by services; the web, API and CLI shells turn them into messages and statuses."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. The message is safe to show to the user."""


class ValidationFailed(DomainError):
    """Input broke a rule; ``fields`` maps each field name to a message for the user."""

    def __init__(self, fields: dict[str, str], message: str = "There is a problem") -> None:
        super().__init__(message)
        self.fields = fields


class NotFoundError(DomainError):
    """The thing does not exist, or the caller may not know that it does."""


class PermissionDenied(DomainError):
    """The caller may not do this to this thing (agency scoping, role)."""


class Conflict(DomainError):
    """The action clashes with what is already recorded (for example a duplicate code)."""


class PurposeRequired(DomainError):
    """Personal data outside one's own agency, or a search, needs a stated purpose before it is shown."""
