"""The PDF exports, read back as people's tools read them: text with pdftotext, links with pypdf, QR codes with zbar."""
from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

import pytest
from pypdf import PdfReader

import cafe.export.appendix
import cafe.export.lines
import cafe.export.pdf
import cafe.export.split
from cafe.export import charts
from cafe.export.registry import RENDERERS
from cafe.export.snapshot import Snapshot


def tool(name: str) -> str:
    """The path of a command-line tool; missing, the test is skipped (or fails under CI, where it must be there)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian packages poppler-utils and zbar-tools provide the PDF and QR tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdf_text(data: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    """The text of a PDF (or of some of its pages) as pdftotext reads it."""
    args = [tool("pdftotext"), "-enc", "UTF-8"]
    args += ["-f", str(first)] if first else []
    args += ["-l", str(last)] if last else []
    args += ["-layout"] if layout else []
    return subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped lines compare as one."""
    return " ".join(text.split())


def is_rtl(text: str) -> bool:
    """Whether the text holds right-to-left letters, which pdftotext gives back in visual order."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def qr_codes(data: bytes, folder: Path) -> list[str]:
    """What a phone's reader finds on each page, in page order: pages at 150 dpi, decoded by zbar."""
    pdftoppm, zbarimg = tool("pdftoppm"), tool("zbarimg")
    subprocess.run([pdftoppm, "-r", "150", "-png", "-", str(folder / "page")], input=data, check=True)
    found = []
    for page in sorted(folder.glob("page-*.png")):
        result = subprocess.run([zbarimg, "--raw", "-q", str(page)], capture_output=True, text=True)
        found.append(result.stdout.strip())
    return found


@pytest.fixture(scope="module")
def rendered() -> dict[tuple, bytes]:
    """Exports already made in this module: a render takes about a second, so each café is rendered once."""
    return {}


@pytest.fixture
def render(make_snapshot: Callable[..., Snapshot], rendered: dict[tuple, bytes]) -> Callable[..., bytes]:
    """Render an export of a make_snapshot café (same options, same bytes)."""
    def make(name: str, **options: object) -> bytes:
        key = (name, *sorted(options.items()))
        if key not in rendered:
            rendered[key] = RENDERERS[name].render(make_snapshot(**options))
        return rendered[key]
    return make


@pytest.mark.parametrize("name, title", [("cards.pdf", "Table cards"), ("poster.pdf", "Poster for the room"),
                                         ("summary.pdf", "PDF summary")])
def test_each_pdf_is_registered(name: str, title: str) -> None:
    assert RENDERERS[name].mimetype == "application/pdf" and RENDERERS[name].title == title
    assert RENDERERS[name].render.__module__ == cafe.export.pdf.__name__


def test_summary_holds_every_table_heading_and_visible_note(make_snapshot, render) -> None:
    snapshot = make_snapshot()
    text = pdf_text(render("summary.pdf"))
    spaced, packed = flat(text), "".join(text.split())
    for table in snapshot.tables:
        assert table.theme in spaced and table.host in spaced and table.question in spaced
        assert all(heading in spaced for heading in table.headings)
    assert "Round 2 question" in spaced
    for note in snapshot.visible_notes:
        if is_rtl(note.text):
            assert all(word in spaced for word in note.text.split()), note.text
        else:
            assert note.text in spaced or "".join(note.text.split()) in packed, note.text


def test_hidden_notes_appear_in_no_pdf(make_snapshot, render) -> None:
    assert any(not note.visible for note in make_snapshot().notes)
    for name in ("summary.pdf", "cards.pdf", "poster.pdf"):
        assert "HIDDEN" not in pdf_text(render(name))


def test_hostile_notes_print_as_literal_text_without_links_or_scripts(render) -> None:
    data = render("summary.pdf")
    spaced = flat(pdf_text(data))
    for literal in ("<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }} {% raw %} ${7*7}",
                    '=HYPERLINK("http://evil.example","click")', "— <em>Eve</em>"):
        assert literal in spaced
    reader = PdfReader(io.BytesIO(data))
    assert "/JavaScript" not in reader.trailer["/Root"].get("/Names", {})
    assert "/OpenAction" not in reader.trailer["/Root"]
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A", {})
            # The only links are the contents page's jumps inside the document.
            assert action.get("/S") in (None, "/GoTo") and "/URI" not in action and "/JS" not in action


def test_a_280_character_word_wraps_inside_the_page(render) -> None:
    text = pdf_text(render("summary.pdf"), layout=True)
    longest = max((len(run) for run in re.findall(r"x+", text)), default=0)
    assert 20 < longest < 280
    assert "x" * 280 in "".join(text.split())


def test_cover_shows_the_event_and_its_counts(make_snapshot, render) -> None:
    snapshot = make_snapshot()
    data = render("summary.pdf")
    cover = flat(pdf_text(data, first=1, last=1))
    assert snapshot.event.name in cover and "Thursday 18 June 2026" in cover and snapshot.event.venue in cover
    figures = snapshot.figures
    for count, word in ((figures.participants, "participants"), (figures.tables, "tables"),
                        (figures.rounds, "rounds"), (figures.notes, "notes")):
        assert f"{count} {word}" in cover
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert pages > 2
    assert re.search(rf"\b3 ?/ ?{pages}$", flat(pdf_text(data, first=3, last=3)))


def test_contents_page_numbers_point_at_each_table(make_snapshot, render) -> None:
    data = render("summary.pdf")
    contents = flat(pdf_text(data, first=2, last=2))
    for table in make_snapshot().tables:
        page = int(re.search(rf"Table {table.number} {re.escape(table.theme)} (\d+)", contents)[1])
        assert f"Host: {table.host} ·" in pdf_text(data, first=page, last=page)


def test_notes_are_grouped_under_themes_when_there_are_themes(render) -> None:
    spaced = flat(pdf_text(render("summary.pdf", themes=True)))
    assert "Theme: Time for training" in spaced and "Theme: Funding gaps" in spaced
    table_1 = spaced[spaced.index("Host: Host 1 ·"):spaced.index("Host: Host 2 ·")]
    assert table_1.index("Theme: Time for training") < table_1.index("Other notes") < table_1.index("Needed support")


def test_sections_list_notes_most_voted_first_and_can_keep_the_top_ones(make_snapshot) -> None:
    snapshot = make_snapshot(per_heading=4, hostile=False)
    full = cafe.export.pdf.table_sections(snapshot)
    for section in full:
        for block, heading in zip(section.blocks, section.table.headings):
            assert [n for group in block.groups for n in group.notes] == snapshot.notes_under(section.table.number,
                                                                                              heading)
        assert sum(len(batch.notes) for batch in section.batches) == section.count
    top = cafe.export.pdf.table_sections(snapshot, top=3)
    assert all(block.shown == 3 and block.count == 8 for section in top for block in section.blocks)


def test_a_large_cafe_lists_the_top_notes_per_heading_and_every_note_in_the_appendix(make_snapshot, monkeypatch):
    monkeypatch.setattr(cafe.export.pdf, "LIST_ALL_UP_TO", 10)
    snapshot = make_snapshot(tables=1, per_heading=20, hostile=False)
    spaced = flat(pdf_text(RENDERERS["summary.pdf"].render(snapshot)))
    assert spaced.count(f"The {cafe.export.pdf.TOP_NOTES} most-voted of 40 notes; the appendix lists them all.") == 2
    appendix = spaced[spaced.index("Appendix: every note Every"):]
    assert all(note.text in appendix for note in snapshot.visible_notes)


def test_an_empty_cafe_still_makes_every_pdf(make_snapshot) -> None:
    snapshot = make_snapshot(tables=0, rounds=0, hostile=False)
    for name in ("cards.pdf", "poster.pdf", "summary.pdf"):
        assert snapshot.event.name in flat(pdf_text(RENDERERS[name].render(snapshot)))


def test_each_table_card_shows_its_table_and_a_qr_code_of_its_link(make_snapshot, render, tmp_path) -> None:
    snapshot = make_snapshot()
    data = render("cards.pdf")
    assert qr_codes(data, tmp_path) == [table.url for table in snapshot.tables]
    for page, table in enumerate(snapshot.tables, start=1):
        card = flat(pdf_text(data, first=page, last=page))
        # The kicker is letter-spaced, so pdftotext may read "TABLE" as "TA B L E".
        assert re.search(rf"T ?A ?B ?L ?E {table.number}\b", card)
        assert all(part in card for part in (table.theme, f"Host: {table.host}", table.question, *table.headings))
        assert "cafe.example.org/e/K7MQ4T" in card and "K7MQ4T at cafe.example.org" in card
        assert "https://" not in card


def test_the_poster_shows_the_join_code_and_a_qr_code_of_the_join_link(make_snapshot, render, tmp_path) -> None:
    event = make_snapshot().event
    data = render("poster.pdf")
    assert qr_codes(data, tmp_path) == [event.join_url]
    poster = flat(pdf_text(data))
    assert event.name in poster and "cafe.example.org/e/K7MQ4T" in poster
    assert re.search(r"K\s*7\s*M\s*Q\s*4\s*T", pdf_text(data).split("cafe.example.org")[-1])


def svg_texts(svg: str) -> list[str]:
    """The text elements of an SVG, parsed as XML (which fails on anything left unescaped)."""
    return [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


def test_charts_escape_their_labels_and_stay_well_formed_svg() -> None:
    label = '<b>&"x"</b> ' + "long " * 20
    bars = charts.horizontal_bars([(label, 3), ("Two", 0)], title="Notes <per> table")
    columns = charts.columns([(label, 5)], title="Rounds & notes")
    assert "<b>" not in bars + columns
    assert "Notes <per> table" in svg_texts(bars) and any(t.startswith('<b>&"x"</b>') for t in svg_texts(bars))
    assert "Rounds & notes" in svg_texts(columns) and "5" in svg_texts(columns)
    assert svg_texts(charts.columns([], title="Nothing yet")) == ["Nothing yet"]


@pytest.fixture
def split_summary(make_snapshot, monkeypatch) -> Callable[..., tuple[Snapshot, bytes]]:
    """Render a summary as a large café's is rendered (appendix pages laid out apart), failing rather than falling
    back to the rendering in one piece."""
    def fallback(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the summary fell back to being rendered in one piece")

    def make(*, workers: int, **options: object) -> tuple[Snapshot, bytes]:
        monkeypatch.setattr(cafe.export.pdf, "SPLIT_FROM", 1)
        monkeypatch.setattr(cafe.export.pdf, "render_pdf", fallback)
        monkeypatch.setattr(cafe.export.split, "WORKERS", workers)
        snapshot = make_snapshot(**options)
        return snapshot, RENDERERS["summary.pdf"].render(snapshot)
    return make


@pytest.mark.parametrize("workers", [2, 0], ids=["worker processes", "one process"])
def test_a_large_cafe_summary_laid_out_in_parts_reads_as_one_document(split_summary, workers: int) -> None:
    snapshot, data = split_summary(workers=workers, per_heading=12)
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    text = pdf_text(data)
    spaced, packed = flat(text), "".join(text.split())
    appendix = spaced[spaced.index("Appendix: every note Every published"):]
    for note in snapshot.visible_notes:
        if is_rtl(note.text):
            assert all(word in appendix for word in note.text.split()), note.text
        else:
            assert note.text in appendix or "".join(note.text.split()) in packed, note.text
    assert "HIDDEN" not in text
    for literal in ("<script>alert('x')</script>", "{{ 7*7 }} {% raw %} ${7*7}", "— <em>Eve</em>"):
        assert literal in spaced
    longest = max(len(run) for run in re.findall(r"x+", pdf_text(data, layout=True)))
    assert 20 < longest < 280
    # Every page but the cover is numbered "n / N", appendix pages included, under the running header.
    for page in (2, 3, pages - 1, pages):
        assert re.search(rf"\b{page} ?/ ?{pages}$", flat(pdf_text(data, first=page, last=page))), page
    assert flat(pdf_text(data, first=pages, last=pages)).startswith(f"{snapshot.event.name} Appendix")
    # The contents page points at each table and at the appendix.
    contents = flat(pdf_text(data, first=2, last=2))
    for table in snapshot.tables:
        page = int(re.search(rf"Table {table.number} {re.escape(table.theme)} (\d+)", contents)[1])
        assert f"Host: {table.host} ·" in pdf_text(data, first=page, last=page)
    first = int(re.search(r"Appendix: every note (\d+)", contents)[1])
    assert "Appendix: every note Every published" in flat(pdf_text(data, first=first, last=first))
    targets = {str(annotation.get_object()["/Dest"]) for annotation in reader.pages[1].get("/Annots", [])}
    assert targets == {"overview", "appendix", *(f"table-{table.number}" for table in snapshot.tables)}
    assert reader.get_destination_page_number(reader.named_destinations["appendix"]) + 1 == first
    # Bookmarks: the appendix and each of its tables, on the pages where they are printed.
    marks: dict[str, int] = {}

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks[item.title] = reader.get_destination_page_number(item) + 1
    walk(reader.outline)
    assert marks["Appendix: every note"] == first
    for table in snapshot.tables:
        page = marks[f"Table {table.number} · {table.theme}"]
        assert page >= first and f"Table {table.number} · {table.theme}" in flat(pdf_text(data, first=page, last=page))
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A", {})
            assert action.get("/S") in (None, "/GoTo") and "/URI" not in action


def test_a_summary_whose_appendix_pages_do_not_come_out_as_planned_is_rendered_in_one_piece(
        make_snapshot, monkeypatch, caplog) -> None:
    monkeypatch.setattr(cafe.export.pdf, "SPLIT_FROM", 1)
    # Sheets planned taller than a page: the appendix comes out with more pages than planned.
    monkeypatch.setattr(cafe.export.appendix, "METRICS", dataclasses.replace(cafe.export.appendix.METRICS, spare=-400))
    snapshot = make_snapshot(per_heading=40, hostile=False)
    with caplog.at_level(logging.WARNING, logger=cafe.export.pdf.__name__):
        data = RENDERERS["summary.pdf"].render(snapshot)
    assert "rendering in one piece" in caplog.text
    spaced = flat(pdf_text(data))
    assert all(note.text in spaced for note in snapshot.visible_notes)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert re.search(rf"\b{pages} ?/ ?{pages}$", flat(pdf_text(data, first=pages, last=pages)))


def test_the_appendix_is_dealt_onto_sheets_in_lines_that_fit_the_page_width(make_snapshot) -> None:
    snapshot = make_snapshot(per_heading=80)
    sheets = cafe.export.appendix.deal(cafe.export.pdf.table_sections(snapshot))
    metrics = cafe.export.appendix.METRICS
    assert len(sheets) > 3
    text = cafe.export.lines.measure(metrics.families, metrics.text_size)
    bold = cafe.export.lines.measure(metrics.families, metrics.text_size, 700)
    body = ""
    for sheet in sheets:
        for block in (block for block in sheet.blocks if block.kind == "text"):
            body += " ".join(block.lines) + " "
            for index, line in enumerate(block.lines):
                indent = bold.width(block.label) + text.char(" ") if block.label and index == 0 else 0
                assert indent + text.width(line) <= metrics.width + 0.01, line
    packed = "".join(body.split())
    assert all("".join(note.text.split()) in packed for note in snapshot.visible_notes)
    assert [mark[1] for sheet in sheets for mark in sheet.marks] == (
        ["Appendix: every note"] + [f"Table {t.number} · {t.theme}" for t in snapshot.tables])
    runs = cafe.export.appendix.chunks(sheets, 4)
    assert runs[0][0] == 0 and runs[-1][1] == len(sheets) and len(runs) == 4
    assert all(a[1] == b[0] for a, b in zip(runs, runs[1:]))


def test_line_breaks_keep_words_whole_and_cut_only_words_longer_than_a_line() -> None:
    metrics = cafe.export.appendix.METRICS
    breaker = cafe.export.lines.LineBreaker(cafe.export.lines.measure(metrics.families, metrics.text_size), 200)
    words = "Time for training and funding for software is what we need ( really ) !"
    lines = breaker.lines(words, first=50)
    assert " ".join(lines) == words and len(lines) > 1
    assert not any(line.startswith(("!", ")")) or line.endswith("(") for line in lines)
    assert "".join(breaker.lines("x" * 300)) == "x" * 300
    assert cafe.export.lines.normalise(" a\t b\n\u00a0c ") == "a b \u00a0c"


def test_qr_codes_are_png_images() -> None:
    assert cafe.export.pdf.qr_code("https://cafe.example.org/e/K7MQ4T").startswith("data:image/png;base64,")
