"""How large a file the upload page takes, said in Norwegian, and the page's answer to a larger one.

The request limit of the service (`SpineMiddleware`: `max_upload_bytes` for a multipart body to the
upload paths, at least `max_body_bytes`) refuses a larger body before any route, with a bare 413 page.
`ForStorFil` stands outside it and sends the browser back to the upload page instead, where the message
is shown like any other reason a file cannot be read."""

from __future__ import annotations

from typing import Any

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from soknad.etterregistrering.fil import MAX_FIL_BYTES

log = structlog.get_logger(__name__)

SIDE = "/admin/etterregistrering"
"""The upload page's path in the service (GET shows it, POST uploads to it)."""
LES_BORT = 1_000_000_000
"""The largest body read away to answer with the page (a file of a few hundred MB chosen by mistake)."""
FOR_STOR = "for_stor"
"""The query parameter the page is shown with after a file was too large."""


def request_limit(settings: Any) -> int:
    """The largest upload body the service lets through (what `SpineMiddleware` allows the upload paths)."""
    return max(int(settings.max_upload_bytes), int(settings.max_body_bytes))


def file_limit(settings: Any) -> int:
    """The largest file the page takes: the request's limit, and never more than a file may be
    (`MAX_FIL_BYTES`, the same for the command line)."""
    return min(MAX_FIL_BYTES, request_limit(settings))


def size_nb(antall_bytes: int) -> str:
    """«50 MB», «1,5 MB», «300 kB»: decimal units, a decimal comma, at most one decimal."""
    for unit, size in (("MB", 1_000_000), ("kB", 1000)):
        if antall_bytes >= size:
            number = f"{antall_bytes / size:.1f}".removesuffix(".0").replace(".", ",")
            return f"{number} {unit}"
    return f"{antall_bytes} byte"


def too_large_message(settings: Any) -> str:
    return f"Filen er for stor (høyst {size_nb(file_limit(settings))}). Del den i flere filer."


class ForStorFil:
    """A form upload to the page whose declared length is over the request limit: a redirect back to
    the page (303, its error shown there), before the request limit answers with a 413 page. A body
    without a declared length (browsers always declare one for a form) meets the request limit as before.

    The body is read to its end first, and thrown away as it comes: a browser answered while it still
    sends shows its own connection error instead of the answer (Chromium does) if the connection is then
    closed on the unread rest, as a server may do (uvicorn reads the rest away itself, unless the answer
    says `connection: close`)."""

    def __init__(self, app: ASGIApp, *, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and self._too_large(scope):
            log.info("etterregistrering_fil_for_stor", limit=self.limit)
            await _discard_body(receive)
            location = scope["path"] + "?" + FOR_STOR + "=ja"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"content-length", b"0"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

    def _too_large(self, scope: Scope) -> bool:
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if (path[len(root) :] if path.startswith(root) else path) != SIDE:
            return False
        content_type = length = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
        # Read away only what a real file could be: a body declared far larger meets the bare 413 at once,
        # rather than tying the server to reading it before anyone has logged in.
        return (
            content_type.startswith(b"multipart/form-data")
            and length.isdigit()
            and self.limit < int(length) <= LES_BORT
        )


async def _discard_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
