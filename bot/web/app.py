"""The Starlette application of the bot's web server: link pages, webhooks and health checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.deps import Deps
from bot.metrics import CONTENT_TYPE, METRICS
from bot.services.links import DOWNLOAD, PATHS, PHOTO, UPLOAD
from bot.web.files import FilePages
from bot.web.health import Health
from bot.web.upload import UploadPages

Endpoint = Callable[[Request], Awaitable[Response]]

# Every page carries a capability token in its URL: it must not leak through Referer, caches or search engines.
_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-robots-tag", b"noindex, nofollow"),
]
_DEFAULT_CSP = (
    b"content-security-policy",
    (b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; "
     b"frame-ancestors 'none'"),
)


class PrivateHeaders:
    """Adds the headers above (and a strict Content-Security-Policy unless the page set its own) to every
    response. Plain ASGI, so request bodies still stream through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _HEADERS if name not in present]
                if _DEFAULT_CSP[0] not in present:
                    headers.append(_DEFAULT_CSP)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _webhooks(endpoints: Mapping[str, Endpoint]) -> Endpoint:
    async def dispatch(request: Request) -> Response:
        endpoint = endpoints.get(request.path_params["name"])
        if endpoint is None:
            return PlainTextResponse("not found", status_code=404)
        return await endpoint(request)

    return dispatch


async def metrics(request: Request) -> Response:
    """GET /metrics: the process's counters in Prometheus text format (restrict it at the reverse proxy)."""
    return Response(METRICS.exposition(), media_type=CONTENT_TYPE)


def build_web_app(deps: Deps, *, webhooks: Mapping[str, Endpoint] = MappingProxyType({})) -> Starlette:
    """The web server's routes. Link pages exist only when `deps.links` does (PUBLIC_BASE_URL is set); webhooks
    are given by the channels that receive them (`name` → endpoint, e.g. "zalo")."""
    health = Health(deps.sessions)
    routes = [
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/webhook/{name}", _webhooks(dict(webhooks)), methods=["POST"]),
    ]
    if deps.links is not None:
        uploads = UploadPages(deps, deps.links)
        files = FilePages(deps, deps.links)
        routes += [
            Route(PATHS[UPLOAD], uploads.show, methods=["GET"]),
            Route(PATHS[UPLOAD], uploads.receive, methods=["POST"]),
            Route(PATHS[DOWNLOAD], files.download, methods=["GET"]),
            Route(PATHS[PHOTO], files.photo, methods=["GET"]),
        ]
    app = Starlette(routes=routes)
    app.add_middleware(PrivateHeaders)
    return app
