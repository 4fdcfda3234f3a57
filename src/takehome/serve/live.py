"""Keeping pages live: the project's folders watched (watchfiles), and a WebSocket that tells
each open page when what it shows has changed and tells the builder what is on screen."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any, cast

import watchfiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..paper import Paper
from .builder import DEFAULT, Builder, Variant, View

log = logging.getLogger(__name__)

WATCHED = ("content", "templates")


class Signal:
    """The builder's version as the event loop sees it; waiters wake when it changes."""

    def __init__(self, version: int = 0) -> None:
        self.version = version
        self._changed = asyncio.Event()

    def set(self, version: int) -> None:
        """Called on the event loop (the builder's thread hands it over)."""
        if version > self.version:
            self.version = version
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait(self, seen: int) -> int:
        """The version, as soon as it is not `seen`."""
        while self.version == seen:
            await self._changed.wait()
        return self.version


def _relevant(change: watchfiles.Change, path: str) -> bool:
    """Not an editor's backup, swap or temporary file."""
    name = Path(path).name
    return not (name.startswith((".", "~")) or name.endswith(("~", ".swp", ".tmp")))


async def watch(root: Path, builder: Builder, stop: asyncio.Event) -> None:
    """Tell the builder about every save under content/ and templates/ until `stop` is set.
    (watchfiles falls back to polling where the system gives no file events; set
    WATCHFILES_FORCE_POLLING=1 for folders, such as network shares, where events never come.)"""
    folders = [root / name for name in WATCHED if (root / name).is_dir()]
    async for changes in watchfiles.awatch(*folders, watch_filter=_relevant, debounce=300,
                                           step=30, stop_event=stop):
        names = sorted({_shown(Path(path), root) for _, path in changes})
        log.info("Changed: %s", ", ".join(names))
        builder.changed()


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def view_of(message: Any, papers: tuple[str, ...] = ("letter", "a4")) -> View | None:
    """The view a page says it shows ({"document", "output", "paper", "ink"}), if well formed."""
    if not isinstance(message, dict):
        return None
    document, output = message.get("document"), message.get("output")
    paper = message.get("paper")
    if not (isinstance(document, str) and isinstance(output, str) and document and output):
        return None
    if paper is not None and paper not in papers:
        return None
    return View(document, output, Variant(cast(Paper | None, paper), message.get("ink") is True))


async def updates(websocket: WebSocket, builder: Builder, signal: Signal) -> None:
    """Send the version whenever it changes; take what the page shows as the builder's focus."""
    await websocket.accept()

    async def listen() -> None:
        while True:
            try:
                message = json.loads(await websocket.receive_text())
            except ValueError:
                continue
            view = view_of(message)
            shown = builder.status().files.get(DEFAULT, [])
            if view is not None and any(f.document == view.document and f.path == view.output
                                        for f in shown):
                builder.show(view)

    async def tell() -> None:
        seen = -1
        while True:
            seen = await signal.wait(seen)
            await websocket.send_text(json.dumps({"version": seen}))

    tasks = {asyncio.create_task(listen()), asyncio.create_task(tell())}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
    for task in done:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
            task.result()
