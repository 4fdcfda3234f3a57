"""Per-family packets: a cover and each family's documents in one file, every document on a new
sheet but the label, which is printed on the back of the cover."""

from __future__ import annotations

from pathlib import Path

from .conftest import read_pdf, run, trim_roster

PARTS = ("welcome/students", "intake/students", "cards/family/students")
LABEL = "cards/case-label/students"


def test_packet_page_counts(sample_build: Path) -> None:
    packets = sample_build / "packets/back-to-school"
    students = sorted(p.name for p in (packets / "students").glob("*.pdf"))
    assert len(students) == 24
    total = 0
    for name in students:
        parts = [read_pdf(sample_build / part / name) for part in PARTS]
        packet = read_pdf(packets / "students" / name)
        # The cover, with the family's one label on its back: one sheet; then the documents.
        assert len(packet.pages) == 2 + sum(len(p.pages) + len(p.pages) % 2 for p in parts), name
        cover = read_pdf(packets / "covers" / name)
        assert packet.pages[0].extract_text() == cover.pages[0].extract_text()
        label = read_pdf(sample_build / LABEL / name)
        assert packet.pages[1].extract_text() == label.pages[0].extract_text()
        start = 2
        for part in parts:  # each document starts on the front of a new sheet
            assert start % 2 == 0
            first = part.pages[0].extract_text().splitlines()[:2]
            assert packet.pages[start].extract_text().splitlines()[:2] == first
            start += len(part.pages) + len(part.pages) % 2
        total += len(packet.pages)
    assert len(read_pdf(packets / "class-set.pdf").pages) == total


def test_packets_alone_build_their_parts_without_publishing_them(project: Path) -> None:
    trim_roster(project, 2)
    assert run("build", str(project), "--only", "packets").exit_code == 0
    out = project / "output"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == [
        "packets/back-to-school/class-set.pdf",
        "packets/back-to-school/covers/01-lopez-ana.pdf",
        "packets/back-to-school/covers/02-okafor-benjamin.pdf",
        "packets/back-to-school/students/01-lopez-ana.pdf",
        "packets/back-to-school/students/02-okafor-benjamin.pdf"]
    assert len(read_pdf(out / "packets/back-to-school/students/01-lopez-ana.pdf").pages) == 8


def test_a_document_without_copies_is_an_error(project: Path) -> None:
    packets = project / "content/packets.yaml"
    packets.write_text(packets.read_text().replace("cards/family,", "cards/notes, newsletter,"))
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "packets.yaml:11:34: error: packet 'back-to-school': 'cards/notes' has no " \
           "personalised copies" in result.output
    assert "'newsletter' has no personalised copies" in result.output
