"""Running the web application with uvicorn inside the bot's own event loop, beside the channels and scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger(__name__)
STOP_TIMEOUT_SECONDS = 10.0


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the process (`dondoc run` handles SIGINT/SIGTERM itself)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass(frozen=True)
class RunningWeb:
    host: str
    port: int  # the bound port (useful when 0 asked for a free one)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextlib.asynccontextmanager
async def running_web(app: ASGIApp, *, host: str, port: int) -> AsyncIterator[RunningWeb]:
    """Serves `app` on host:port until the block ends; returns once the server has stopped. Access logs are off:
    link URLs carry capability tokens."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off", server_header=False,
        timeout_graceful_shutdown=5, proxy_headers=True,
    )
    # Bound here rather than by uvicorn, which exits the process when the port is taken.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)
    bound = listener.getsockname()[1]
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[listener]), name="web-server")
    while not server.started:
        if task.done():
            listener.close()
            raise RuntimeError(f"the web server could not start on {host}:{bound}") from task.exception()
        await asyncio.sleep(0.01)
    log.info("web server listening on %s:%s", host, bound)
    try:
        yield RunningWeb(host=host, port=bound)
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            server.force_exit = True
            await task
        finally:
            listener.close()
        log.info("web server stopped")
