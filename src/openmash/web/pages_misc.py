"""Public odds and ends: the health check and a readable description of the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from openmash.http.auth import public
from openmash.http.context import app_context
from openmash.web.templating import render

router = APIRouter()


@router.get("/healthz", dependencies=[Depends(public())], include_in_schema=False)
def health(request: Request) -> Response:
    """For load balancers: answers 200 only when the database does."""
    try:
        with app_context(request).transaction() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/api/openapi.json", dependencies=[Depends(public())], include_in_schema=False)
def openapi(request: Request) -> Response:
    return JSONResponse(request.app.openapi())


@router.get("/api/docs", dependencies=[Depends(public())], include_in_schema=False)
def api_docs(request: Request) -> Response:
    """The API described on a plain page: no third-party script, so it works under our CSP and offline."""
    spec: dict[str, Any] = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [p["name"] for p in op.get("parameters", []) if p.get("in") in ("query", "path")]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": params,
                    "body": "requestBody" in op,
                }
            )
    return render(request, "api_docs.html", {"operations": operations, "column": "full"})
