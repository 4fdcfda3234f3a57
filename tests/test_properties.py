"""Property-based: any bytes either load or raise our own error, never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from takehome.errors import ContentError, Problems
from takehome.kinds.intake.model import Intake
from takehome.roster import read_roster
from takehome.validate import validate
from takehome.yamlfile import load_yaml

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

csv_text = st.lists(
    st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=12), max_size=6),
    max_size=8,
).map(lambda rows: "\n".join(",".join(cells) for cells in rows))

yaml_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["title:", " en:", "  - ", "questions:", "id: x", "&a", "*a",
                              "[", "]", "{", "}", ":", "'", '"', "\t", "\n", "- ", "!!str",
                              "return_by: 2026-13-45", "<<: *a", "? ", "---", "...", "#"]),
             max_size=30).map("".join),
)


def _file(data: bytes, suffix: str) -> Path:
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
        handle.write(data)
    return Path(handle.name)


@SETTINGS
@given(st.one_of(csv_text.map(lambda t: t.encode("utf-8")), st.binary(max_size=300)))
def test_roster_reader_loads_or_says_why(data: bytes) -> None:
    path = _file(data, ".csv")
    problems = Problems()
    try:
        roster = read_roster(path, {}, problems)
    except ContentError as exc:
        assert exc.problem.path == path and exc.problem.message
    else:
        for student in roster.students:
            assert student.name.strip()  # "Li" alone in a full-name column is kept whole
            slug = student.slug(2)
            assert "/" not in slug and not slug.startswith(".") and slug.isascii()
    finally:
        path.unlink()
    assert all(p.path == path and p.line for p in problems.errors)


@SETTINGS
@given(st.one_of(yaml_text.map(lambda t: t.encode("utf-8")), st.binary(max_size=200)))
def test_content_loader_loads_or_says_why(data: bytes) -> None:
    path = _file(data, ".yaml")
    problems = Problems()
    try:
        loaded = load_yaml(path)
        validate(Intake, loaded, problems)
    except ContentError as exc:
        assert exc.problem.path == path and exc.problem.message
    finally:
        path.unlink()
    assert all(p.path == path for p in problems.errors)
