"""The web app of `takehome serve` (Starlette): the start page, each document's pages with
their pickers, page pictures, the PDFs themselves, the log form, and the live updates."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import anyio
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from .. import i18n
from ..paper import Paper
from . import logform
from .builder import DEFAULT, Builder, Status, Variant, View
from .live import Signal, updates, watch
from .pages import WIDTHS, PageImages
from .security import Guard
from .views import (
    DocumentView,
    OutputFile,
    Picks,
    by_kind,
    concerns,
    documents,
    error_views,
    pick,
    relative,
)

HERE = Path(__file__).parent
PAPERS = {"letter": "Letter", "a4": "A4"}
IMAGE_CACHE = "private, max-age=31536000, immutable"  # a picture's address names its PDF's hash


@dataclass
class Site:
    """What the app serves from: the project, its builds, the page pictures and this run's token."""

    root: Path
    builder: Builder
    images: PageImages
    token: str
    signal: Signal = field(default_factory=Signal)
    env: Environment = field(default_factory=lambda: Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True))

    def variant(self, status: Status, paper: str, ink: bool) -> Variant:
        """The paper and colour asked for; the settings' paper is the default variant's."""
        settings = status.project.settings.paper if status.project else None
        chosen = paper if paper in PAPERS and paper != settings else None
        return Variant(cast(Paper | None, chosen), ink)

    def views(self, status: Status, variant: Variant = DEFAULT) -> list[DocumentView]:
        project = status.project
        order = [d.name for d in project.documents] if project else []
        language = project.default_language if project else "en"
        return documents(status.files.get(variant, []), order, language)

    def render(self, template: str, status: Status, code: int = 200, **context: Any) -> Response:
        project = status.project
        own = {relative(d.path, self.root) or "": d.name for d in project.documents} \
            if project else {}
        mine, general = concerns(status.warnings, status.files.get(DEFAULT, []), self.root, own)
        html = self.env.get_template(template).render(
            status=status, errors=error_views(status.errors, self.root), token=self.token,
            school=project.settings.school.name if project else self.root.name,
            warnings_of=mine, general_warnings=general, page_url=page_url,
            described=lambda problems: error_views(problems, self.root, quote=False),
            language=project.default_language if project else "en",
            language_name=lambda code: i18n.language_name(code, "en"), **context)
        return HTMLResponse(html, code)


def page_url(file: OutputFile, index: int, size: str = "page") -> str:
    return f"/page/{file.sha256}/{index}-{size}.png"


def create_app(site: Site, watching: bool = True) -> Starlette:
    """The app, guarded; `watching`: follow saves under content/ and templates/."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        site.signal = Signal(site.builder.status().version)

        def tell(version: int) -> None:  # called on the builder's thread
            with contextlib.suppress(RuntimeError):  # the loop closed as a build ended
                loop.call_soon_threadsafe(site.signal.set, version)

        site.builder.listeners.append(tell)
        site.builder.start()
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(site.root, site.builder, stop)) if watching else None
        try:
            yield
        finally:
            site.builder.listeners.remove(tell)
            stop.set()
            if watcher is not None:
                with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                    await asyncio.wait_for(watcher, 2)
            await anyio.to_thread.run_sync(site.builder.stop)

    async def index(request: Request) -> Response:
        status = site.builder.status()
        return site.render("index.html", status, groups=by_kind(site.views(status)),
                           view=None)

    async def document(request: Request) -> Response:
        return _document(site, request, request.path_params["name"])

    async def picture(request: Request) -> Response:
        sha, index, size = (request.path_params[k] for k in ("sha", "index", "size"))
        status = site.builder.status()
        found = next(((v, f) for v, files in status.files.items() for f in files
                      if f.sha256 == sha), None)
        if found is None or size not in WIDTHS or index >= found[1].pages:
            return Response("No such page (the document was rebuilt).", 404)
        pdf = site.builder.output(found[0]) / found[1].path
        png = await anyio.to_thread.run_sync(site.images.png, pdf, sha, index, size)
        if png is None:
            return Response("No such page (the document was rebuilt).", 404)
        return Response(png, media_type="image/png", headers={"cache-control": IMAGE_CACHE})

    async def pdf(request: Request) -> Response:
        folder, path = request.path_params["variant"], request.path_params["path"]
        status = site.builder.status()
        for variant, files in status.files.items():
            if variant.folder == folder and any(f.path == path for f in files):
                return FileResponse(site.builder.output(variant) / path,
                                    media_type="application/pdf",
                                    filename=Path(path).name, content_disposition_type="inline")
        return Response("No such file.", 404)

    async def version(request: Request) -> Response:
        return JSONResponse({"version": site.builder.status().version})

    async def add_contact(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=20) as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not secrets.compare_digest(fields.get("token", "").encode(), site.token.encode()):
            return Response("Refused: the form did not come from this preview.", 403)
        status = site.builder.status()
        if status.project is None:
            return Response("The project does not load yet; fix the errors shown first.", 409)
        line, filled = await anyio.to_thread.run_sync(logform.add, status.project, fields)
        setup = logform.setup(status.project)
        name = setup.document if setup else "log"
        if line is None:
            return _document(site, request, name, filled, 400)
        report = f"{name}/report.pdf"
        site.builder.changed(View(name, report))
        return RedirectResponse(f"/doc/{quote(name)}?sheet={quote(name)}/report&added={line}",
                                303)

    async def socket(websocket: WebSocket) -> None:
        await updates(websocket, site.builder, site.signal)

    routes = [
        Route("/", index),
        Route("/doc/{name:path}", document),
        Route("/page/{sha:str}/{index:int}-{size:str}.png", picture),
        Route("/pdf/{variant:str}/{path:path}", pdf),
        Route("/api/version", version),
        Route("/log", add_contact, methods=["POST"]),
        WebSocketRoute("/ws", socket),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def guarded(site: Site, port: int, hosts: set[str] | None, watching: bool = True) -> Guard:
    """The app behind the guard that checks every request's token and origin."""
    return Guard(create_app(site, watching), site.token, port, hosts)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _document(site: Site, request: Request, name: str, filled: logform.Filled | None = None,
              code: int = 200) -> Response:
    """A document's page: the pickers, its pages as pictures, its warnings (and the log form)."""
    status = site.builder.status()
    view = next((v for v in site.views(status) if v.name == name), None)
    if view is None:
        if status.built_at is None:
            return site.render("waiting.html", status, view=None, document=name)
        return site.render("missing.html", status, 404, view=None, document=name)
    query = request.query_params
    project = status.project
    language = project.default_language if project else "en"
    picks = Picks(query.get("sheet", ""), query.get("lang", ""), _int(query.get("student")))
    chosen = pick(view, picks, language)
    assert chosen is not None  # a document in the manifest has files
    sheet = view.sheet(chosen.sheet)
    variant = site.variant(status, query.get("paper", ""), query.get("ink") == "1")
    site.builder.show(View(name, chosen.path, variant))
    status = site.builder.status()
    shown: OutputFile | None = chosen
    if variant != DEFAULT:
        laid_out = {f.path: f for f in status.files.get(variant, [])}
        shown = laid_out.get(chosen.path) if status.is_fresh(variant, name) else None
    names = {s.number: s.name for s in project.roster.students} if project else {}
    setup = logform.setup(project) if project and view.kind == "log" else None
    paper = variant.paper or (project.settings.paper if project else "letter")
    return site.render(
        "document.html", status, code, doc=view, file=chosen, shown=shown, sheet=sheet,
        variant=variant, paper=paper, papers=PAPERS, families=names, log=setup,
        filled=filled or logform.blank(), methods=logform.METHODS, tones=logform.TONES,
        added=_int(query.get("added")),
        view=json.dumps({"document": name, "output": chosen.path, "paper": variant.paper,
                         "ink": variant.ink_saver}))
