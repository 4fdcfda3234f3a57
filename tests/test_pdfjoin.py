"""Class sets joined part by part (build/join.py): valid, every page as it was, sheets padded."""

from __future__ import annotations

import hashlib
import io
from functools import partial
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
from weasyprint import HTML

from takehome.build import join
from takehome.build.join import join_pdfs


def part(path: Path, pages: list[str], size: str = "letter") -> Path:
    body = "".join(f'<section style="break-before: page"><h1 id="p{i}">{text}</h1>'
                   f'<a href="#p0">back to the start</a> <a href="https://example.org">web</a>'
                   f"</section>" for i, text in enumerate(pages))
    HTML(string=f"<style>@page {{ size: {size} }}</style>{body}").write_pdf(path)
    return path


def test_joined_pages_are_the_parts_pages_padded_to_whole_sheets(tmp_path: Path) -> None:
    parts = [part(tmp_path / "a.pdf", ["Ana 1"]),
             part(tmp_path / "b.pdf", ["Ben 1", "Ben 2"], "A4"),
             part(tmp_path / "c.pdf", ["Zoë 1", "Zoë 2", "Zoë 3"])]
    target = tmp_path / "joined.pdf"
    assert join_pdfs(parts, True, target).pages == 8
    with pikepdf.open(target) as joined:
        assert joined.check_pdf_syntax() == []
        sizes = [tuple(round(float(v)) for v in p.mediabox) for p in joined.pages]
    letter, a4 = (0, 0, 612, 792), (0, 0, 595, 842)
    assert sizes == [letter, letter, a4, a4, letter, letter, letter, letter]
    document = pdfium.PdfDocument(target)
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert [t.split("\r\n")[0] for t in texts] == [
        "Ana 1", "", "Ben 1", "Ben 2", "Zoë 1", "Zoë 2", "Zoë 3", ""]
    # Each page draws as it did in its part.
    for source, index in ((parts[1], 3), (parts[2], 6)):
        pdf = pdfium.PdfDocument(source)
        original = pdf[len(pdf) - 1].render(scale=0.5).to_pil().tobytes()
        assert document[index].render(scale=0.5).to_pil().tobytes() == original


def test_without_duplex_nothing_is_added_and_links_still_work(tmp_path: Path) -> None:
    parts = [part(tmp_path / "a.pdf", ["Ana 1"]), part(tmp_path / "b.pdf", ["Ben 1", "Ben 2"])]
    target = tmp_path / "joined.pdf"
    assert join_pdfs(parts, False, target).pages == 3
    with pikepdf.open(io.BytesIO(target.read_bytes())) as joined:
        pages = [p.obj.objgen for p in joined.pages]
        # "back to the start" on Ben's second page goes to Ben's first page, not Ana's
        links = [a for a in joined.pages[2].Annots if "/Dest" in a or "/A" in a]
        internal = [a.Dest[0].objgen for a in links if "/Dest" in a]
        assert internal == [pages[1]]
        assert any(str(a.A.get("/URI", "")) == "https://example.org" for a in links if "/A" in a)


def test_the_same_parts_give_the_same_bytes(tmp_path: Path) -> None:
    parts = [part(tmp_path / "a.pdf", ["Ana"]), part(tmp_path / "b.pdf", ["Ben"])]
    join_pdfs(parts, True, tmp_path / "1.pdf")
    join_pdfs(parts, True, tmp_path / "2.pdf")
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()


def _digests(parts: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in parts]


def test_a_join_copies_the_unchanged_parts_of_the_last_one(tmp_path: Path) -> None:
    names = ["Ana", "Ben", "Chloé", "Dara", "Ema"]
    parts = [part(tmp_path / f"{n}.pdf", [f"{n} 1"] * (1 + i % 2)) for i, n in enumerate(names)]
    first: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "first.pdf", _digests(parts), journal=first)

    # One family's copy changed (same layout, other words): only that part is spelled out again.
    changed = [*parts[:2], part(tmp_path / "Chloe.pdf", ["Chloe 1"]), *parts[3:]]
    second: dict[str, Any] = {}
    pages, _ = join_pdfs(changed, True, tmp_path / "second.pdf", _digests(changed),
                      previous=(tmp_path / "first.pdf", first), journal=second)
    join_pdfs(changed, True, tmp_path / "scratch.pdf")
    assert (tmp_path / "second.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert second["copied"] == 4 and pages == 2 * len(names)
    text = pdfium.PdfDocument(tmp_path / "second.pdf")[4].get_textpage().get_text_range()
    assert text.startswith("Chloe 1")

    # A family added in the middle: what follows is numbered anew, and still the same bytes.
    added = [*changed[:1], part(tmp_path / "Zoe.pdf", ["Zoë 1", "Zoë 2", "Zoë 3"]), *changed[1:]]
    third: dict[str, Any] = {}
    join_pdfs(added, True, tmp_path / "third.pdf", _digests(added),
              previous=(tmp_path / "second.pdf", second), journal=third)
    join_pdfs(added, True, tmp_path / "scratch.pdf")
    assert (tmp_path / "third.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert third["copied"] >= 1
    with pikepdf.open(tmp_path / "third.pdf") as joined:
        assert joined.check_pdf_syntax() == [] and len(joined.pages) == 2 * len(names) + 4

    # Without duplex no part lies where it did (no blank backs): each is renumbered.
    fourth: dict[str, Any] = {}
    join_pdfs(added, False, tmp_path / "fourth.pdf", _digests(added),
              previous=(tmp_path / "third.pdf", third), journal=fourth)
    join_pdfs(added, False, tmp_path / "scratch.pdf")
    assert (tmp_path / "fourth.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert fourth["copied"] == 0 and fourth["moved"] == len(added)


def test_the_last_join_read_in_pieces_lends_the_same_bytes(tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    """The last join's table of object offsets is read a few thousand lines at a time too:
    wherever the pieces end, the parts it lends land at the same places as a join from scratch."""
    names = ["Ana", "Ben", "Chloé", "Dara"]
    parts = [part(tmp_path / f"{n}.pdf", [n, f"{n} 2"]) for n in names]
    first: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "first.pdf", _digests(parts), journal=first)
    monkeypatch.setattr(join, "XREF_LINES", 5)  # fewer lines than the file has objects
    assert first["size"] > 2 * join.XREF_LINES
    changed = [*parts[:3], part(tmp_path / "Dora.pdf", ["Dora", "Dora 2"])]
    second: dict[str, Any] = {}
    join_pdfs(changed, True, tmp_path / "second.pdf", _digests(changed),
              previous=(tmp_path / "first.pdf", first), journal=second)
    assert second["copied"] == 3
    join_pdfs(changed, True, tmp_path / "scratch.pdf")
    assert (tmp_path / "second.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()


def test_a_part_printed_on_the_back_is_lent_only_with_the_same_blank(tmp_path: Path) -> None:
    """A packet's cover with its label on the back: no blank page between them. A cover lent
    from the last join keeps the blank that started the next part on a new sheet only when
    the next part still needs it, and the file is the same as a join from scratch."""
    cover = part(tmp_path / "cover.pdf", ["Cover"])
    label = part(tmp_path / "label.pdf", ["Label"])
    sheet = part(tmp_path / "sheet.pdf", ["Sheet 1"])
    parts = [cover, label, sheet]
    first: dict[str, Any] = {}
    pages, _ = join_pdfs(parts, True, tmp_path / "first.pdf", _digests(parts), journal=first,
                      backs=[False, True, False])
    assert pages == 4  # cover | label, sheet | blank
    text = [p.get_textpage().get_text_range() for p in pdfium.PdfDocument(tmp_path / "first.pdf")]
    assert [t.split()[0] if t else "" for t in text] == ["Cover", "Label", "Sheet", ""]

    # The label left out: the cover now needs a blank back, so it is not lent as it was.
    without = [cover, sheet]
    second: dict[str, Any] = {}
    pages, _ = join_pdfs(without, True, tmp_path / "second.pdf", _digests(without),
                      previous=(tmp_path / "first.pdf", first), journal=second)
    join_pdfs(without, True, tmp_path / "scratch.pdf")
    assert pages == 4
    assert (tmp_path / "second.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert second["copied"] == 0

    # And back: the cover's span from the last join had a blank; with the label it has none.
    third: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "third.pdf", _digests(parts),
              previous=(tmp_path / "second.pdf", second), journal=third,
              backs=[False, True, False])
    join_pdfs(parts, True, tmp_path / "scratch.pdf", backs=[False, True, False])
    assert (tmp_path / "third.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert third["copied"] == 0


def test_strings_that_look_like_references_are_copied_as_they_are(tmp_path: Path) -> None:
    """Objects are spelled by qpdf and their references renumbered: a note whose text holds
    parentheses, a backslash and "1 0 R", or bytes written in hex, keeps it, and every
    reference still resolves."""
    words = "x) 1 0 R (y \\ 2 0 R ("
    with pikepdf.open(part(tmp_path / "odd.pdf", ["Odd"])) as pdf:
        note = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10],
            Contents=pikepdf.String(words), NM=pikepdf.String(b"\x00 3 0 R\xff")))
        pdf.pages[0].Annots.append(note)
        pdf.save(tmp_path / "noted.pdf")
    parts = [part(tmp_path / "a.pdf", ["Ana"]), tmp_path / "noted.pdf"]
    join_pdfs(parts, True, tmp_path / "joined.pdf")
    with pikepdf.open(tmp_path / "joined.pdf") as joined:
        assert joined.check_pdf_syntax() == []
        notes = [a for a in joined.pages[2].Annots if a.get("/Subtype") == pikepdf.Name.Text]
        assert [str(n.Contents) for n in notes] == [words]
        assert bytes(notes[0].NM) == b"\x00 3 0 R\xff"
        fonts = list(joined.pages[2].Resources.Font.values())
        assert fonts and all(f.get("/Type") == pikepdf.Name.Font for f in fonts)


def test_a_journal_of_an_older_join_lends_nothing(tmp_path: Path) -> None:
    parts = [part(tmp_path / "a.pdf", ["Ana"]), part(tmp_path / "b.pdf", ["Ben"])]
    first: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "first.pdf", _digests(parts), journal=first)
    older = {k: v for k, v in first.items() if k != "format"}
    second: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "second.pdf", _digests(parts),
              previous=(tmp_path / "first.pdf", older), journal=second)
    assert second["copied"] == 0
    third: dict[str, Any] = {}
    join_pdfs(parts, True, tmp_path / "third.pdf", _digests(parts),
              previous=(tmp_path / "first.pdf", first), journal=third)
    assert third["copied"] == 2
    assert (tmp_path / "third.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()


def test_the_table_written_in_pieces_gives_the_same_file(tmp_path: Path,
                                                         monkeypatch: Any) -> None:
    """A class set's cross-reference table is written a few thousand lines at a time (memory):
    wherever the pieces end, the file is the same and reads back whole."""
    parts = [part(tmp_path / f"{n}.pdf", [n, f"{n} 2"]) for n in ("Ana", "Ben", "Zoë")]
    join_pdfs(parts, True, tmp_path / "whole.pdf")
    monkeypatch.setattr(join, "XREF_LINES", 3)
    join_pdfs(parts, True, tmp_path / "pieces.pdf")
    assert (tmp_path / "pieces.pdf").read_bytes() == (tmp_path / "whole.pdf").read_bytes()
    with pikepdf.open(tmp_path / "pieces.pdf") as joined:
        assert joined.check_pdf_syntax() == []
        assert len(joined.pages) == 6


def test_the_sha256_given_is_the_file_written(tmp_path: Path) -> None:
    parts = [part(tmp_path / f"{n}.pdf", [n, f"{n} 2", f"{n} 3"]) for n in ("Ana", "Ben")]
    joined = join_pdfs(parts, True, tmp_path / "joined.pdf")
    assert joined.sha256 == hashlib.sha256((tmp_path / "joined.pdf").read_bytes()).hexdigest()


def test_a_class_set_takes_its_parts_from_the_packets_that_hold_them(tmp_path: Path) -> None:
    """Each family's packet is joined first; the class set of every packet then takes each
    part from the packet that spelled it, its objects renumbered: the same bytes as the class
    set joined from the parts themselves."""
    families = [["Ana 1"], ["Ben 1", "Ben 2"], ["Zoë 1", "Zoë 2", "Zoë 3"]]
    packets = [[part(tmp_path / f"{i}-cover.pdf", [f"For {pages[0][:3]}"]),
                part(tmp_path / f"{i}-sheet.pdf", pages)] for i, pages in enumerate(families)]
    journals: dict[str, dict[str, Any]] = {}
    for i, parts in enumerate(packets):
        journals[f"{i}.pdf"] = {}
        join_pdfs(parts, True, tmp_path / f"{i}.pdf", _digests(parts),
                  journal=journals[f"{i}.pdf"])
    every = [p for parts in packets for p in parts]
    looked_up: list[str] = []

    def holder(name: str) -> tuple[Path, dict[str, Any]]:
        looked_up.append(name)
        return tmp_path / name, journals[name]

    holders = {}
    for i, parts in enumerate(packets):  # one holder for each packet, as a build gives
        holders.update(dict.fromkeys(_digests(parts), partial(holder, f"{i}.pdf")))
    journal: dict[str, Any] = {}
    join_pdfs(every, True, tmp_path / "class-set.pdf", _digests(every), holders=holders,
              journal=journal)
    join_pdfs(every, True, tmp_path / "scratch.pdf")
    assert (tmp_path / "class-set.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    # The first packet's parts lie where they did; everything after them is renumbered.
    assert (journal["copied"], journal["moved"]) == (2, len(every) - 2)
    assert looked_up == ["0.pdf", "1.pdf", "2.pdf"]  # each packet once, in turn
    with pikepdf.open(tmp_path / "class-set.pdf") as joined:
        assert joined.check_pdf_syntax() == [] and len(joined.pages) == 14
    # A class set with one family's sheet changed takes the rest from the last class set as
    # it lies, and the changed sheet from its packet, renumbered.
    packets[1][1] = part(tmp_path / "1-sheet.pdf", ["Benjamin 1", "Benjamin 2"])
    join_pdfs(packets[1], True, tmp_path / "1.pdf", _digests(packets[1]),
              journal=journals["1.pdf"])
    holders.update(dict.fromkeys(_digests(packets[1]), partial(holder, "1.pdf")))
    every = [p for parts in packets for p in parts]
    again: dict[str, Any] = {}
    join_pdfs(every, True, tmp_path / "again.pdf", _digests(every), holders=holders,
              previous=(tmp_path / "class-set.pdf", journal), journal=again)
    join_pdfs(every, True, tmp_path / "scratch.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "scratch.pdf").read_bytes()
    assert again["moved"] >= 1 and again["copied"] + again["moved"] == len(every)
