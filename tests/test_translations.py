"""Content translations: a glossary applied to every text (imported calendar titles included),
bilingual titles split, one grouped warning per edition, and export/import round trips."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from takehome import translations
from takehome.build import load
from takehome.build.incremental import Cache
from takehome.errors import Problems
from takehome.translations import bilingual

from .conftest import render_project, run


def _edition_warnings(problems: Problems, language: str) -> list[str]:
    return [str(w) for w in problems.warnings if f"the {language} edition of" in str(w)]


def test_the_sample_prints_every_calendar_title_translated(project: Path) -> None:
    """District .ics titles and locations take the glossary's translations."""
    built, problems, pages = render_project(project, ("calendar",))
    calendar = built.calendar
    assert calendar is not None
    labor = next(e for e in calendar.events if e.title.get("en", "en") == "Labor Day – No School")
    assert labor.source.startswith("content/calendar/district.ics:")
    assert labor.title.get("es", "en") == "Día del Trabajo – No hay clases"
    assert labor.title.get("ar", "en") == "عيد العمال – لا دراسة"
    spanish = next(r for r in pages.rendered if r.job.output == "calendar/key-dates.es.pdf")
    assert "Día del Trabajo" in spanish.record.markup
    assert "Labor Day" not in spanish.record.markup
    assert not _edition_warnings(problems, "Spanish")


def test_a_bilingual_title_prints_in_the_matching_language(project: Path) -> None:
    built, _, pages = render_project(project, ("calendar",))
    assert built.calendar is not None
    lottery = next(e for e in built.calendar.events if "Lotería" in e.title.get("en", "en"))
    assert lottery.title.get("en", "en") == "Family Lotería Night"
    assert lottery.title.get("es", "en") == "Noche de Lotería Familiar"
    months = {r.job.output: r.record.markup for r in pages.rendered}
    assert "Noche de Lotería Familiar" in months["calendar/months.es.pdf"]
    assert "Family Lotería Night /" not in months["calendar/months.es.pdf"]
    assert "Noche de Lotería" not in months["calendar/months.en.pdf"]


def _lottery(project: Path, cache: Cache) -> dict[str, str]:
    built = load.load(project, Problems(), cache)
    assert built.calendar is not None
    title = next(e.title for e in built.calendar.events if "Lotería" in e.title.get("en", "en"))
    return {lang: title.get(lang, "en") for lang in ("en", "es")}


def test_a_split_title_is_remembered_and_a_forged_record_is_not_believed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The language identifier's model (the slowest thing a rebuild loaded) is loaded only
    for a title no build has split before; what builds found is kept signed."""
    cache = Cache(project)
    split = {"en": "Family Lotería Night", "es": "Noche de Lotería Familiar"}
    assert _lottery(project, cache) == split
    kept = cache.root / load.DERIVED
    record = json.loads(kept.read_text())
    assert {"split": split} in record["record"].values()

    def unavailable() -> None:
        raise AssertionError("the language identifier was loaded again")

    with monkeypatch.context() as patch:
        patch.setattr(translations, "_identifier", functools.cache(unavailable))
        assert _lottery(project, cache) == split
        # A record rewritten by someone without the key: not believed, so the title is split
        # again (which needs the identifier).
        forged = {key: {"split": {"en": "Lotería", "es": "Noche"}} for key in record["record"]}
        kept.write_text(json.dumps({**record, "record": forged}))
        with pytest.raises(AssertionError, match="identifier was loaded again"):
            _lottery(project, cache)
    assert _lottery(project, cache) == split


def test_one_title_with_a_slash_is_not_split() -> None:
    assert bilingual("Math / Science Night", "en", ["es", "fr"]) is None
    assert bilingual("PTA / PTO Meeting", "en", ["es"]) is None
    assert bilingual("PTA Meeting / Reunión de la PTA", "en", ["es", "ar"]) == {
        "en": "PTA Meeting", "es": "Reunión de la PTA"}


def test_one_grouped_warning_per_edition_names_each_text_and_its_source(project: Path) -> None:
    (project / "content" / "translations.yaml").unlink()
    _, problems, _ = render_project(project, ("welcome",))
    spanish = _edition_warnings(problems, "Spanish")
    assert len(spanish) == 1
    assert "'PTA General Meeting' (content/calendar/district.ics:" in spanish[0]
    assert "'Labor Day – No School'" in spanish[0]
    arabic = _edition_warnings(problems, "Arabic")
    assert len(arabic) == 1
    assert "content/welcome.yaml:5" in arabic[0]  # the sheet's own intro, by its line


def test_a_text_that_is_a_built_in_string_reads_its_translations(project: Path) -> None:
    """The sample intake title is the built-in "Getting to know your child": no glossary
    entry needed for Arabic."""
    built, _, _ = render_project(project, ("intake",))
    intake = next(d for d in built.documents if d.name == "intake")
    assert intake.model.title.get("ar", "en") == "لنتعرّف على طفلكم"


def _fill_po(path: Path, translate: dict[str, str]) -> None:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id in translate:
            message.string = translate[message.id]
        elif message.id:
            message.string = f"[vi] {message.id}"
    out = io.BytesIO()
    write_po(out, catalog)
    path.write_bytes(out.getvalue())


def test_export_and_import_round_trip_as_po(project: Path, tmp_path: Path) -> None:
    (project / "content" / "translations.yaml").unlink()
    out = tmp_path / "out"
    result = run("translations", "export", str(project), "--lang", "vi", "-o", str(out))
    assert result.exit_code == 0, result.output
    po = out / "missing-vi.po"
    with po.open("rb") as fh:
        exported = [m for m in read_po(fh) if m.id]
    assert "Picture Day" in {m.id for m in exported}
    picture = next(m for m in exported if m.id == "Picture Day")
    assert ("content/calendar/district.ics", 476) in picture.locations
    _fill_po(po, {"Picture Day": "Ngày chụp ảnh"})
    result = run("translations", "import", str(po), str(project))
    assert result.exit_code == 0, result.output
    assert (project / "content" / "translations" / "vi.po").is_file()
    problems = Problems()
    built = load.load(project, problems)
    calendar = built.calendar
    assert calendar is not None
    picture_day = next(e for e in calendar.events if e.title.get("en", "en") == "Picture Day")
    assert picture_day.title.get("vi", "en") == "Ngày chụp ảnh"
    again = run("translations", "export", str(project), "--lang", "vi", "-o", str(tmp_path / "2"))
    assert "Nothing to translate" in again.output


def test_export_and_import_round_trip_as_csv(project: Path, tmp_path: Path) -> None:
    (project / "content" / "translations.yaml").unlink()
    result = run("translations", "export", str(project), "--format", "csv", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "missing-translations.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    assert header[:2] == ["source", "where"] and "es" in header and "ar" in header
    es = header.index("es")
    for row in rows[1:]:
        if row[0] == "Winter Break":
            row[es] = "Vacaciones de invierno"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert run("translations", "import", str(path), str(project)).exit_code == 0
    _, problems, _ = render_project(project, ("calendar",))
    spanish = _edition_warnings(problems, "Spanish")
    assert spanish and "'Winter Break'" not in spanish[0]
    assert "'Picture Day'" in spanish[0]  # still missing, still listed


def test_a_bad_filled_file_is_an_error_and_nothing_is_written(project: Path,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "filled.csv"
    bad.write_text("source,where,klingonese\nWinter Break,,Qo'\n", encoding="utf-8")
    result = run("translations", "import", str(bad), str(project))
    assert result.exit_code == 1
    assert "filled.csv:1:3: error: column 'klingonese' is not a language" in result.output
    assert not (project / "content" / "translations").exists()
