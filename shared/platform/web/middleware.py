"""One ASGI middleware for what every response needs: correlation id, CSRF cookie, security headers,
body size limit, metrics and the access log."""

from __future__ import annotations

import json
import time
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.platform.auth.session import CSRF_COOKIE, CookieSigner
from shared.platform.observability.logging import bind_correlation_id
from shared.platform.observability.metrics import ServiceMetrics
from shared.platform.web.body_guard import BodyRefused, check_json_body, is_json
from shared.platform.web.templating import format_size

log = structlog.get_logger("access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


TOO_LARGE_PARAM = "for_stor"
"""The query parameter an upload page is shown with after a browser sent it a file over the limit."""
READ_AWAY_MAX = 1_000_000_000
"""The largest upload read away to answer with the page (a file of a few hundred MB chosen by mistake);
a body declared larger meets the 413 at once, rather than tying the server to reading it before anyone
has logged in."""


class BodyTooLarge(Exception):
    pass


def upload_limit(max_upload_bytes: int, max_body_bytes: int) -> int:
    """The largest multipart body an upload path takes: never less than any other body."""
    return max(max_upload_bytes, max_body_bytes)


class SpineMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        signer: CookieSigner,
        metrics: ServiceMetrics,
        max_body_bytes: int,
        secure_cookies: bool = False,
        skip_prefixes: tuple[str, ...] = (),
        upload_paths: tuple[str, ...] = (),
        max_upload_bytes: int = 0,
    ):
        self.app = app
        # Paths served by mounted apps with a middleware of their own (the embedded default's services):
        # doing the work twice would log twice and could set two different CSRF cookies.
        self.skip_prefixes = skip_prefixes
        self.signer = signer
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.secure_cookies = secure_cookies
        # File uploads (post-registration) are larger than any form or JSON body: a multipart body to one
        # of these paths may be up to `max_upload_bytes`, every other body stays at `max_body_bytes`.
        # They are pages that show their form on GET: a browser's file over the limit is sent back there
        # (`TOO_LARGE_PARAM`), where the page says so like any other reason it cannot take a file.
        self.upload_paths = upload_paths
        self.max_upload_bytes = upload_limit(max_upload_bytes, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefixes):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        correlation_id = bind_correlation_id(headers.get("x-correlation-id"))
        state = scope.setdefault("state", {})
        cookies = _cookies(headers.get("cookie", ""))
        csrf = self.signer.read_csrf(cookies.get(CSRF_COOKIE))
        new_csrf_cookie: str | None = None
        if csrf is None:
            csrf, new_csrf_cookie = self.signer.new_csrf()
        state["csrf_token"] = csrf
        started = time.perf_counter()
        status_holder = {"status": 500}

        content_type = headers.get("content-type", "")
        limit = self._limit(scope["path"], content_type)
        wants_html = "text/html" in headers.get("accept", "")
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            if wants_html and self._is_upload(scope["path"], content_type) and int(declared) <= READ_AWAY_MAX:
                await self._back_to_upload_page(scope, receive, send)
                self._record(scope, 303, started, correlation_id)
                return
            await self._too_large(send, limit, html=wants_html)
            self._record(scope, 413, started, correlation_id)
            return

        if scope.get("method") in _WITH_BODY:
            # Read whole (it is bounded) so that a body without Content-Length that is too large is a 413,
            # not a parse error, and refused text never reaches a route.
            try:
                body = await _read_body(receive, limit)
                if is_json(headers.get("content-type", "")):
                    check_json_body(body)
            except BodyTooLarge:
                await self._too_large(send, limit, html=wants_html)
                self._record(scope, 413, started, correlation_id)
                return
            except BodyRefused as exc:
                await _send_problem(send, exc.status, exc.title, exc.detail, field=exc.field)
                self._record(scope, exc.status, started, correlation_id)
                return
            receive = _replay(body, receive)

        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder["status"] = message["status"]
                out = MutableHeaders(scope=message)
                out.setdefault("x-content-type-options", "nosniff")
                out.setdefault("referrer-policy", "same-origin")
                out.setdefault("x-frame-options", "DENY")
                out.setdefault("content-security-policy", CSP)
                out.setdefault("x-correlation-id", correlation_id)
                if not scope["path"].rstrip("/").endswith("/static") and "/static/" not in scope["path"]:
                    # Pages and API answers may carry personal data: never store them.
                    out.setdefault("cache-control", "no-store")
                if new_csrf_cookie is not None:
                    out.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={new_csrf_cookie}; Path=/; HttpOnly; SameSite=Strict"
                        + ("; Secure" if self.secure_cookies else ""),
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BodyTooLarge:
            if not response_started:
                await self._too_large(send, limit, html=wants_html)
            status_holder["status"] = 413
        finally:
            self._record(scope, status_holder["status"], started, correlation_id)

    def _is_upload(self, path: str, content_type: str) -> bool:
        return content_type.startswith("multipart/form-data") and any(p in path for p in self.upload_paths)

    def _limit(self, path: str, content_type: str) -> int:
        return self.max_upload_bytes if self._is_upload(path, content_type) else self.max_body_bytes

    async def _back_to_upload_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """303 to the page the file was posted to. The body is read to its end first, thrown away as it
        comes: answered while it still sends, a browser shows its own connection error instead of the
        answer (Chromium does) once the connection is closed on the unread rest."""
        while (message := await receive())["type"] == "http.request" and message.get("more_body", False):
            pass
        location = f"{scope['path']}?{TOO_LARGE_PARAM}=ja"
        headers = [
            (b"location", location.encode("latin-1")),
            (b"content-length", b"0"),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _too_large(self, send: Send, limit: int, *, html: bool = False) -> None:
        storrelse = format_size(limit)
        if html:
            # A browser's form post gets a page it can show, with the way back, not a JSON document.
            page = (
                '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>Filen eller skjemaet er for stort</title></head><body><main>"
                "<h1>Filen eller skjemaet er for stort</h1>"
                f"<p>Det du sendte, er større enn {storrelse}. Ingenting er lagret. Del opp filen, eller "
                "gå tilbake i nettleseren og prøv igjen med mindre innhold.</p></main></body></html>"
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(page)).encode()),
                        (b"cache-control", b"no-store"),
                        (b"content-security-policy", CSP.encode()),
                        (b"x-content-type-options", b"nosniff"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": page})
            return
        await _send_problem(
            send,
            413,
            "Forespørselen er for stor",
            f"Innholdet kan være høyst {storrelse}.",
            code="for_stor",
        )

    def _record(self, scope: Scope, status: int, started: float, correlation_id: str) -> None:
        elapsed = time.perf_counter() - started
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "")
        self.metrics.requests.labels(self.metrics.service, method, template, str(status)).inc()
        self.metrics.latency.labels(self.metrics.service, method, template).observe(elapsed)
        if not template.startswith("/health") and template != "/metrics":
            log.info(
                "request",
                method=method,
                route=template,
                status=status,
                ms=round(elapsed * 1000, 1),
                correlation_id=correlation_id,
            )


_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, what the server says next (a disconnect) is the client's.
        return await receive()

    return replay


async def _send_problem(
    send: Send, status: int, title: str, detail: str, *, field: str | None = None, code: str | None = None
) -> None:
    problem: dict[str, Any] = {
        "type": f"https://soknadsportal.no/problemer/{code or status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field is not None:
        problem["errors"] = [{"field": field, "message": detail}]
    body = json.dumps(problem, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _cookies(header: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            result[name] = value
    return result
