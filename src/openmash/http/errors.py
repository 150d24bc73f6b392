"""Exceptions the shells raise, and how each becomes a page or a uniform JSON error."""

from __future__ import annotations


class HttpProblem(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(HttpProblem):
    status = 401
    code = "unauthenticated"


class Forbidden(HttpProblem):
    status = 403
    code = "forbidden"


class Redirect(Exception):
    """Send the browser elsewhere (for example to the next sign-in step)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
