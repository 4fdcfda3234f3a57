"""Running the preview: a port (8000 or the next free one), loopback unless told otherwise, the
address with this run's token, uvicorn until Ctrl-C, and the browser opened when asked."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from ..files import find_root
from .app import Site, guarded
from .builder import Builder
from .pages import PageImages
from .security import local_hosts, new_token
from .views import OutputFile, read_files

log = logging.getLogger(__name__)

FOLDER = Path(".takehome-cache") / "serve"  # beside the build cache: `takehome clean` empties it
FIRST_PORT, LAST_PORT = 8000, 8099
FIRST_PAGES = 3  # pages drawn ahead of the browser's asking when the file on screen is rebuilt


class ServeError(Exception):
    """The preview cannot start (the port is taken, the address is not this machine's)."""


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int | None = None  # None: 8000 or the next free one; 0: any free port
    open_browser: bool = False
    jobs: int = 0  # typesetting processes; 0: one per core
    watching: bool = True  # follow saves under content/ and templates/


@dataclass
class Preview:
    """A preview ready to run: where it is, and the server that runs it."""

    root: Path
    url: str  # with the token: the address to open
    site: Site
    server: uvicorn.Server
    listening: socket.socket

    def run(self, open_browser: bool = False) -> None:
        """Serve until Ctrl-C (or `stop`); builds go on in the background meanwhile."""
        if open_browser:
            threading.Thread(target=self._open, daemon=True).start()
        try:
            self.server.run(sockets=[self.listening])
        except KeyboardInterrupt:  # uvicorn stops cleanly, then passes the Ctrl-C on
            pass
        finally:
            self.listening.close()

    def stop(self) -> None:
        self.server.should_exit = True

    def _open(self) -> None:
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        webbrowser.open(self.url)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.1, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return all(ipaddress.ip_address(str(a[4][0]).split("%")[0]).is_loopback for a in found)


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on `host`: `port`, or the first free one from 8000 when None."""
    ports = [port] if port is not None else list(range(FIRST_PORT, LAST_PORT + 1))
    last_error = ""
    for candidate in ports:
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host.strip("[]"), candidate, type=socket.SOCK_STREAM)[0]
        except OSError as exc:
            raise ServeError(f"cannot listen on {host!r}: {exc}") from None
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen(128)
        except OSError as exc:
            sock.close()
            last_error = exc.strerror or str(exc)
            continue
        return sock
    if port is not None:
        raise ServeError(f"cannot listen on {host}:{port}: {last_error}; choose another --port")
    raise ServeError(f"no free port between {FIRST_PORT} and {LAST_PORT} on {host}")


def prepare(directory: Path, options: ServeOptions) -> Preview:
    """Everything a preview of the project at `directory` needs, listening but not yet serving."""
    root = find_root(directory)
    folder = root / FOLDER
    listening = bind(options.host, options.port)
    port = int(listening.getsockname()[1])
    token = new_token()
    builder = Builder(root, folder, options.jobs)
    images = PageImages(folder / "pages")
    shown = {f.sha256 for variant in folder.glob("*-*") for f in read_files(variant)}
    images.prune(shown)
    site = Site(root, builder, images, token)

    def draw(shown: OutputFile, pdf: Path) -> None:  # the first pages a browser will ask for
        for index in range(min(shown.pages, FIRST_PAGES)):
            images.png(pdf, shown.sha256, index, "page")

    builder.prepare = draw
    hosts = local_hosts(options.host, port) if is_loopback(options.host) else None
    app = guarded(site, port, hosts, options.watching)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            ws="websockets-sansio", timeout_graceful_shutdown=3,
                            server_header=False)
    name = options.host if ":" not in options.host.strip("[]") else f"[{options.host.strip('[]')}]"
    url = f"http://{name}:{port}/?token={token}"
    return Preview(root, url, site, uvicorn.Server(config), listening)


def serve(directory: Path, options: ServeOptions,
          announce: Callable[[str], None] = lambda _: None) -> None:
    """Preview the project at `directory` in the browser until Ctrl-C."""
    preview = prepare(directory, options)
    announce(f"Serving {preview.root} on {preview.url}")
    announce("Rebuilding after every save to content/ or templates/ (Ctrl-C to stop).")
    with contextlib.suppress(KeyboardInterrupt):
        preview.run(options.open_browser)
