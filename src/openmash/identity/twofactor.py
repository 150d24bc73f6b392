"""Time-based one-time codes (TOTP, RFC 6238) for two-factor sign-in."""

from __future__ import annotations

import io
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg

ISSUER = "openmash"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code: no image request, no script, allowed by our content security policy."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to if it is valid now (±30 s) and not used before, else None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * totp.interval), code):
            return step
    return None


def current_code(secret: str, now: datetime) -> str:
    return pyotp.TOTP(secret).at(now)
