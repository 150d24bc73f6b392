"""CSV downloads streamed from a database session opened for the download (pages and API alike)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse

from openmash.db.session import transaction
from openmash.http.context import AppContext


def csv_download(
    ctx: AppContext, filename: str, produce: Callable[[Session], Iterator[str]]
) -> StreamingResponse:
    """Stream ``produce(session)`` as a CSV attachment, in one transaction that lasts the download."""

    def stream() -> Iterator[str]:
        with transaction(ctx.sessions) as session:  # a download, not a page: no navigation counts
            yield from produce(session)

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
