"""Keeping the preview private: every request must carry this run's token and come from the
app's own pages, and every response tells the browser to keep other sites out.

The token reaches the browser once, in the address `takehome serve` prints; the first visit
trades it for a cookie only this origin's own requests carry (SameSite=Strict, HttpOnly), and
the address is cleaned of it. A page of another site (or of another port of this machine) can
neither read the roster's pages nor write the log: it has no token, its requests name another
origin, and nothing here allows cross-origin reads (no CORS headers at all).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Only takehome's own files: no inline script or style, no frames, forms post only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # (no-referrer would make form posts say "Origin: null")
    "cross-origin-resource-policy": "same-origin",  # no <img> of another site shows a page
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}
NO_TOKEN = ("This is takehome serve. Open the address it printed where it runs (the one with "
            "?token=...): rosters are children's data, so only that address opens the preview.")
OTHER_SITE = "Refused: this request comes from another site or address."


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Guard:
    """ASGI middleware: refuses requests without the token or from another origin, trades a
    token in the address for a cookie, and adds the headers above to every response."""

    def __init__(self, app: ASGIApp, token: str, port: int, hosts: set[str] | None) -> None:
        self.app = app
        self.token = token
        self.cookie = f"takehome-{port}"  # cookies ignore ports: one name per server
        self.hosts = hosts  # Host headers accepted; None: any (listening beyond loopback)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        refusal = self.refusal(connection)
        if refusal is not None:
            if scope["type"] == "websocket":
                await receive()  # the connect message; closing now answers 403
                await send({"type": "websocket.close", "code": 1008, "reason": refusal[:100]})
                return
            await self._respond(PlainTextResponse(refusal, 403), scope, receive, send)
            return
        query = connection.query_params
        if scope["type"] == "http" and "token" in query and scope["method"] in ("GET", "HEAD"):
            # Keep the token out of the address bar, history and bookmarks.
            rest = urlencode([(k, v) for k, v in query.multi_items() if k != "token"])
            url = URL(scope=scope).replace(query=rest)
            redirect = RedirectResponse(f"{url.path}?{rest}" if rest else url.path, 303)
            redirect.set_cookie(self.cookie, self.token, httponly=True, samesite="strict",
                                path="/")
            await self._respond(redirect, scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _respond(self, response: Response, scope: Scope, receive: Receive,
                       send: Send) -> None:
        response.headers.update(HEADERS)
        await response(scope, receive, send)

    def has_token(self, connection: HTTPConnection) -> bool:
        given = [connection.cookies.get(self.cookie, ""), connection.query_params.get("token", "")]
        return any(secrets.compare_digest(g.encode(), self.token.encode()) for g in given if g)

    def refusal(self, connection: HTTPConnection) -> str | None:
        """Why the request is refused, or None."""
        headers: Headers = connection.headers
        host = headers.get("host", "").lower()
        if self.hosts is not None and host not in self.hosts:
            return OTHER_SITE  # e.g. a name of another site made to point here (rebinding)
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return OTHER_SITE
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return OTHER_SITE
        if not self.has_token(connection):
            return NO_TOKEN
        return None


def local_hosts(host: str, port: int) -> set[str]:
    """The Host headers a browser sends to a server listening on loopback `host`:`port`."""
    names = {host, "127.0.0.1", "localhost", "[::1]"}
    return {f"{name}:{port}".lower() for name in names}
