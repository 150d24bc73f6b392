"""Error pages say what happened and leak nothing; redirects after sign-in never leave the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from openmash.http.auth import public
from openmash.web.pages_sign_in import safe_next


def test_an_unexpected_failure_shows_a_plain_500_page(app: FastAPI) -> None:
    @app.get("/boom", dependencies=[Depends(public())])
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM children WHERE name = 'Kayleigh'")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        api = client.get("/api/v1/whoami", headers={"Authorization": "Bearer nonsense"})
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    assert "Kayleigh" not in page.text
    assert "Traceback" not in page.text
    assert page.headers["x-request-id"] in page.text  # the reference support can look up
    assert page.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert api.status_code == 401


@given(st.text(max_size=80))
def test_the_page_after_sign_in_is_always_on_this_site(target: str) -> None:
    result = safe_next(target)
    parts = urlsplit(result)
    assert result.startswith("/")
    assert not result.startswith("//")
    assert "\\" not in result
    assert parts.scheme == ""
    assert parts.netloc == ""


@given(
    st.sampled_from(["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"])
)
def test_known_tricks_fall_back_to_the_start_page(target: str) -> None:
    assert safe_next(target) == "/"
