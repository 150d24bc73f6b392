"""The child's chronology as a PDF download: the page's filters and purpose rule, the page's need-to-know (the
same ``chronology.chronology`` read, audited as ``safeguarding.chronology.export_pdf``), drawn by
safeguarding.chronology_pdf. The file's name carries the child's id and the day, never the child's name."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.db.base import utcnow
from openmash.http.context import app_context, audit_context
from openmash.network import mentions
from openmash.register.workdays import UK
from openmash.safeguarding import child_record, chronology
from openmash.safeguarding.chronology_pdf import Export, chronology_pdf
from openmash.web.child_forms import SHORT, opened_or_asked
from openmash.web.pages_chronology import Reader, _carry, _filters

router = APIRouter(prefix="/children")
EXPORT_ACTION = "safeguarding.chronology.export_pdf"


@router.get("/{child_id}/chronology.pdf")
def chronology_pdf_download(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    """The chronology the viewer would see with these filters, as a PDF (a purpose asked as on the page)."""
    filters, values, errors = _filters(request)
    if errors:  # the page shows what is wrong with the dates
        return RedirectResponse(f"/children/{child_id}/chronology?{request.url.query}", status_code=303)

    def load(stated: str | None) -> bytes:
        with app_context(request).transaction() as session:
            found = chronology.chronology(
                session,
                principal,
                child_id,
                purpose=stated,
                context=audit_context(request),
                filters=filters,
                action=EXPORT_ACTION,
            )
            # Part of the concerns this audited export shows, for those the viewer may see (as on the page).
            shown = mentions.mentions_shown(
                session, principal, found.scope, [e.id for e in found.entries if e.kind == "concern"]
            )
            labels = {c.code: c.label for c in child_record.recordable_categories(session, principal)}
        labels |= {e.category_code: e.category_label for e in found.entries}
        export = Export(
            exported_by=f"{principal.display_name} ({principal.agency_name})",
            exported_at=utcnow(),
            purpose=stated,
            filters=filters,
            category_labels=labels,
            mentions={k: [f"{m.kind_label}: {m.value}" for m in v] for k, v in shown.items()},
        )
        return chronology_pdf(found, export)

    action = f"/children/{child_id}/chronology.pdf"
    opened = opened_or_asked(request, action, _carry(values), purpose, purpose_choice, purpose_other, load)
    if isinstance(opened, Response):
        return opened
    day = utcnow().astimezone(UK).date().isoformat()
    return Response(
        opened,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="chronology-{child_id}-{day}.pdf"',
            "Cache-Control": "no-store",
        },
    )
