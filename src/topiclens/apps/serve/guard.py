"""The workbench's door: a local web app can be reached by any page the user has open, so every request
must come to the served address (no DNS rebinding), carry the session's token, and a request that
changes something must come from the page itself (no cross-site request forgery).

Refused requests get a short plain-text answer and never reach the application.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qs

TOKEN_HEADER = "x-topiclens-token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
NO_FRAMES = "'none'"  # the CSP frame-ancestors of a page no other page may frame


def security_headers(frame_ancestors: str = NO_FRAMES) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries. A page that others may frame (``frame_ancestors``: the CSP sources
    of the pages allowed to, as a notebook's workbench has) goes without X-Frame-Options, which would forbid
    every frame, and may be embedded across origins; the page's CSP then says who may frame it."""
    if frame_ancestors == NO_FRAMES:
        return list(SECURITY_HEADERS)
    return [(b"cross-origin-resource-policy", b"cross-origin") if name == b"cross-origin-resource-policy"
            else (name, value) for name, value in SECURITY_HEADERS if name != b"x-frame-options"]


def new_token() -> str:
    """A fresh session token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values a browser sends for the served address (a loopback address also by name)."""
    names = {host}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset(f"{n}:{port}" for n in names)


def refusal(method: str, path: str, headers: dict[str, str], query: str, token: str,
            hosts: Iterable[str]) -> tuple[int, str] | None:
    """Why a request must be refused, as (HTTP status, one line), or None when it may pass."""
    hosts = frozenset(hosts)
    if headers.get("host", "") not in hosts:
        return 421, "refused: this server answers only to its own address (Host header not allowed)"
    if method not in SAFE_METHODS:
        origin = headers.get("origin")
        if origin is not None and origin.removeprefix("http://") not in hosts:
            return 403, "refused: a cross-origin request cannot change the model"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "refused: a cross-site request cannot change the model"
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return 415, "refused: send JSON (Content-Type: application/json)"
    given = headers.get(TOKEN_HEADER) or ""
    if not given and method in SAFE_METHODS:  # the printed address and the export links carry it
        given = (parse_qs(query).get("token") or [""])[0]
    if path != "/favicon.ico" and not hmac.compare_digest(given.encode(), token.encode()):
        return 403, "refused: the session token is missing or wrong (open the address topiclens serve printed)"
    return None


class Guard:
    """ASGI middleware: :func:`refusal` for every HTTP request, and the security headers on every answer
    (:func:`security_headers` of ``frame_ancestors``)."""

    def __init__(self, app, token: str, hosts: Iterable[str], *, frame_ancestors: str = NO_FRAMES):
        self.app = app
        self.token = token
        self.hosts = frozenset(hosts)
        self.headers = security_headers(frame_ancestors)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":  # none is served: refused before any handshake
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refused = refusal(scope["method"], scope["path"], headers, scope.get("query_string", b"").decode("latin-1"),
                          self.token, self.hosts)

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        if refused is not None:
            status, text = refused
            body = text.encode()
            # the connection ends with the answer: a body the request still sends is never read
            await send_secured({"type": "http.response.start", "status": status,
                                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                            (b"content-length", str(len(body)).encode()),
                                            (b"connection", b"close")]})
            await send_secured({"type": "http.response.body", "body": body})
            return None
        return await self.app(scope, receive, send_secured)
