"""`takehome serve` without a browser: what the pages list, the log form, and above all who may
ask: a request without the token, from another site, or to another address is refused."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from takehome import serve
from takehome.errors import Problem
from takehome.serve import server
from takehome.serve.builder import DEFAULT
from takehome.serve.views import OutputFile, Picks, by_kind, concerns, documents, error_views
from takehome.serve.views import pick as pick_file

from .conftest import run
from .serving import base, built_template, client, copy_of, running, wait_for


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_template(tmp_path_factory.mktemp("served") / "project")


@pytest.fixture
def preview(template: Path, tmp_path: Path) -> Iterator[serve.Preview]:
    with running(copy_of(template, tmp_path / "project")) as p:
        yield p


# -- What the pages list --------------------------------------------------------------------

def test_documents_sheets_and_picks(preview: serve.Preview) -> None:
    status = preview.site.builder.status()
    views = preview.site.views(status)
    assert [(label, [d.name for d in docs]) for label, docs in by_kind(views)] == [
        ("Welcome sheet", ["welcome"]), ("Connection log", ["log"])]
    welcome = views[0]
    assert welcome.title == "Welcome to Room 14!"
    assert [s.label for s in welcome.sheets] == ["Welcome", "Copies for families", "Class set"]
    assert welcome.sheets[0].languages == ["en", "es"]
    assert [s.label for s in welcome.thumbnails()] == ["Welcome"]
    assert pick_file(welcome, Picks(), "en").path == "welcome/welcome.en.pdf"
    assert pick_file(welcome, Picks(language="es"), "en").path == "welcome/welcome.es.pdf"
    families = Picks(sheet="welcome/students", student=2)
    assert pick_file(welcome, families, "en").path == "welcome/students/02-okafor-benjamin.pdf"
    assert pick_file(welcome, Picks(sheet="nonsense"), "en").path == "welcome/welcome.en.pdf"


def test_warnings_go_beside_the_document_they_concern(tmp_path: Path) -> None:
    root = tmp_path
    made = [OutputFile("welcome/welcome.en.pdf", "welcome", "welcome", "W", "", "en", None,
                       False, 1, "a", ("content/welcome.yaml",)),
            OutputFile("log/report.pdf", "log", "log", "R", "", "en", None, True, 1, "b",
                       ("content/log.yaml", "content/roster.csv", "content/log.csv")),
            OutputFile("welcome/class-set.pdf", "welcome", "welcome", "C", "", "mul", None, True,
                       3, "c", ("content/welcome.yaml", "content/roster.csv"))]
    own = {"content/welcome.yaml": "welcome", "content/log.yaml": "log"}
    warnings = [Problem("no Spanish text", root / "content/welcome.yaml", 3, 5, "warning"),
                Problem("student left", root / "content/log.csv", 7, None, "warning"),
                Problem("no Vietnamese", root / "content/roster.csv", None, None, "warning"),
                Problem("log/report.pdf: a rule was ignored", None, None, None, "warning")]
    mine, general = concerns(warnings, made, root, own)
    assert [w.message for w in mine["welcome"]] == ["no Spanish text"]
    assert [w.message for w in mine["log"]] == ["student left",
                                                "log/report.pdf: a rule was ignored"]
    assert [w.message for w in general] == ["no Vietnamese"]
    assert documents(made, ["log", "welcome"], "en")[0].name == "log"


def test_errors_quote_the_lines_they_point_at(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    bad = tmp_path / "content/welcome.yaml"
    bad.write_text("a: 1\nb: 2\nintro: [\n  en: >-\n    Hello\nc: 3\nd: 4\n", encoding="utf-8")
    shown = error_views([Problem("invalid YAML", bad, 4, 7), Problem("no roster")], tmp_path)
    assert shown[0].where == "content/welcome.yaml:4:7"
    assert [(q.number, q.marked) for q in shown[0].lines] == [
        (2, False), (3, False), (4, True), (5, False), (6, False)]
    assert shown[0].caret == "      "  # the column, under the marked line
    assert shown[1].where == "" and shown[1].lines == ()
    outside = error_views([Problem("x", Path("/etc/hostname"), 1, 1)], tmp_path)[0]
    assert outside.lines == ()  # only the project's own files are quoted


# -- Who may ask ----------------------------------------------------------------------------

def test_a_request_without_the_token_is_refused(preview: serve.Preview) -> None:
    sha = preview.site.builder.status().files[DEFAULT][0].sha256
    log = preview.root / "content/connection-log.csv"
    before = log.read_bytes()
    with httpx.Client(base_url=base(preview)) as anonymous:
        for path in ("/", "/doc/welcome", f"/page/{sha}/0-page.png", "/api/version",
                     "/pdf/settings-colour/welcome/welcome.en.pdf", "/static/serve.js"):
            response = anonymous.get(path)
            assert response.status_code == 403, path
            assert "Ana" not in response.text and "%PDF" not in response.text
        assert "Open the address it printed" in anonymous.get("/").text
        wrong = anonymous.get("/", params={"token": "not-the-token"})
        assert wrong.status_code == 403
        posted = anonymous.post("/log", data={"student": "1", "date": "2026-09-01",
                                              "method": "note", "tone": "positive"})
        assert posted.status_code == 403
    assert log.read_bytes() == before


def test_the_token_becomes_a_cookie_and_leaves_the_address(preview: serve.Preview) -> None:
    with httpx.Client(base_url=base(preview)) as c:
        first = c.get(preview.url)
        assert first.status_code == 303 and first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = c.get("/")
        assert page.status_code == 200 and "Welcome to Room 14!" in page.text
        headers = page.headers
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert not any(h.startswith("access-control-") for h in headers)
        assert not re.search(r"""(src|href)="(https?:)?//""", page.text)  # nothing from elsewhere


def test_another_origin_is_refused_even_with_the_token(preview: serve.Preview) -> None:
    log = preview.root / "content/connection-log.csv"
    before = log.read_bytes()
    with client(preview) as c:
        port = preview.listening.getsockname()[1]
        assert c.get("/api/version").status_code == 200
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                        {"Origin": f"http://127.0.0.1:{port + 1}"},
                        {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                        {"Host": f"evil.example:{port}"}):  # a name rebound to 127.0.0.1
            assert c.get("/api/version", headers=headers).status_code == 403, headers
        token = preview.site.token
        form = {"token": token, "student": "1", "date": "2026-09-01", "method": "note",
                "tone": "positive", "note": "from elsewhere"}
        assert c.post("/log", data=form, headers={"Origin": "https://evil.example"}
                      ).status_code == 403
        assert c.post("/log", data={**form, "token": "guess"}).status_code == 403
    assert log.read_bytes() == before


def test_the_websocket_needs_the_token_and_this_origin(preview: serve.Preview) -> None:
    with client(preview) as c:
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    url = base(preview).replace("http:", "ws:") + "/ws"
    origin = base(preview)
    with connect(url, additional_headers={"Cookie": cookie, "Origin": origin}) as ws:
        assert '"version"' in str(ws.recv(timeout=10))
    for headers in ({"Origin": origin}, {"Cookie": cookie, "Origin": "https://evil.example"}):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, additional_headers=headers).close()
        assert refused.value.response.status_code == 403


def test_only_built_pdfs_are_served(preview: serve.Preview) -> None:
    with client(preview) as c:
        pdf = c.get("/pdf/settings-colour/welcome/welcome.en.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        for path in ("/pdf/settings-colour/%2e%2e/%2e%2e/content/roster.csv",
                     "/pdf/settings-colour/manifest.json", "/pdf/elsewhere/welcome/welcome.en.pdf"):
            assert c.get(path).status_code == 404, path


def test_it_listens_on_this_machine_only_unless_told(template: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    preview = serve.prepare(copy_of(template, tmp_path / "p"), serve.ServeOptions(port=0))
    try:
        assert preview.listening.getsockname()[0] == "127.0.0.1"
        assert preview.url.startswith("http://127.0.0.1:")
    finally:
        preview.listening.close()
    assert serve.is_loopback("localhost") and serve.is_loopback("::1")
    assert not serve.is_loopback("0.0.0.0")
    asked: list[serve.ServeOptions] = []
    monkeypatch.setattr(serve, "serve", lambda _d, options, announce: asked.append(options))
    quiet = run("serve", str(tmp_path / "p"))
    assert quiet.exit_code == 0 and "children's data" not in quiet.output
    loud = run("serve", str(tmp_path / "p"), "--host", "0.0.0.0")
    assert loud.exit_code == 0 and "children's data" in loud.output
    assert [o.host for o in asked] == ["127.0.0.1", "0.0.0.0"]


def test_open_shows_the_address_with_its_token(template: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(server.webbrowser, "open", opened.append)
    preview = serve.prepare(copy_of(template, tmp_path / "p"), serve.ServeOptions(port=0))
    thread = threading.Thread(target=preview.run, kwargs={"open_browser": True})
    thread.start()
    try:
        wait_for(lambda: opened)
    finally:
        preview.stop()
        thread.join(20)
    assert opened == [preview.url] and "?token=" in preview.url


def test_port_8000_or_the_next_free_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(server, "FIRST_PORT", busy)
        monkeypatch.setattr(server, "LAST_PORT", busy + 20)
        free = server.bind("127.0.0.1", None)
        assert free.getsockname()[1] > busy
        free.close()
        with pytest.raises(server.ServeError, match=f"cannot listen on 127.0.0.1:{busy}"):
            server.bind("127.0.0.1", busy)


def test_ctrl_c_stops_it_cleanly(template: Path, tmp_path: Path) -> None:
    project = copy_of(template, tmp_path / "p")
    process = subprocess.Popen([sys.executable, "-m", "takehome", "serve", str(project),
                                "--port", "0"], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    lines: list[str] = []
    while not any("Built every document" in line for line in lines):
        line = process.stderr.readline()
        assert line, "".join(lines)
        lines.append(line)
    url = re.search(r"http://\S+", "".join(lines))
    assert url and "token=" in url.group(0)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=20)[1]
    assert process.returncode == 0, rest
    assert "Stopped." in rest and "Traceback" not in rest
    assert time.monotonic() - started < 10


# -- The log form, as a browser without scripts would post it -------------------------------

def test_the_log_form_adds_one_line_or_says_what_is_wrong(preview: serve.Preview) -> None:
    log = preview.root / "content/connection-log.csv"
    before = log.read_text(encoding="utf-8")
    form = {"token": preview.site.token, "student": "", "date": "2026-09-04",
            "method": "phone", "tone": "concern", "note": "Tired all week", "follow_up": ""}
    with client(preview) as c:
        page = c.get("/doc/log")
        assert "Add a contact" in page.text and "Minh Anh Nguyễn" in page.text
        wrong = c.post("/log", data=form)
        assert wrong.status_code == 400 and "Choose a student from the roster." in wrong.text
        assert "Tired all week" in wrong.text  # what was typed is kept
        bad_date = c.post("/log", data={**form, "student": "3", "date": "next week"})
        assert bad_date.status_code == 400 and "valid date" in bad_date.text
        assert log.read_text(encoding="utf-8") == before
        added = c.post("/log", data={**form, "student": "3"})
        assert added.status_code == 200 and "Added as line 4 of" in added.text
        assert str(added.url).endswith("/doc/log?sheet=log/report&added=4")
    assert log.read_text(encoding="utf-8") == before + \
        "2026-09-04,Minh Anh Nguyễn,phone,concern,Tired all week,\n"

    def post(n: int) -> int:  # many tabs at once
        with client(preview) as tab:
            return tab.post("/log", data={**form, "student": "1", "note": f"tab {n} " + "z" * 1500}
                            ).status_code

    with ThreadPoolExecutor(8) as tabs:
        assert set(tabs.map(post, range(8))) == {200}
    rows = list(csv.reader(io.StringIO(log.read_text(encoding="utf-8"))))
    assert len(rows) == 1 + 3 + 8 and all(len(r) == 6 for r in rows)
    assert sorted(r[4].split()[1] for r in rows[4:]) == [str(n) for n in range(8)]
    wait_for(lambda: preview.site.builder.status().built_at and not
             preview.site.builder.status().building)
