"""The PDF exports, read back as people's tools read them: text with pdftotext, links with pypdf, QR codes with zbar."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
from pypdf import PdfReader

import cafe.export.pdf
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
    assert table_1.index("Theme: Time for training") < table_1.index("Without a theme") < table_1.index("Needed support")


def test_a_group_comes_where_its_most_voted_note_would(make_snapshot) -> None:
    base = make_snapshot(tables=1, rounds=1, per_heading=3, hostile=False)
    blockers = [n for n in base.notes if n.heading == "Blockers" and n.visible]  # in posting order
    changes = dict(zip([n.id for n in blockers], [("one vote", 1, "Funding"), ("six votes", 6, None),
                                                   ("two votes", 2, "Funding")]))
    notes = tuple(replace(n, text=changes[n.id][0], votes=changes[n.id][1], theme=changes[n.id][2])
                  if n.id in changes else n for n in base.notes)
    [section] = cafe.export.pdf.table_sections(replace(base, notes=notes))
    groups = section.blocks[0].groups
    assert [(g.theme, [n.text for n in g.notes]) for g in groups] == [
        (None, ["six votes"]), ("Funding", ["two votes", "one vote"])]


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


def test_long_texts_within_the_limits_keep_each_printed_sheet_whole(make_snapshot) -> None:
    """The longest names, questions, descriptions and most headings the app accepts still print one card per table,
    one poster sheet, and the summary's contents on page 2."""
    base = make_snapshot(hostile=False)
    name = "Research Software Engineering Community Day 2026: a World Café on training, careers and infrastructure"
    event = replace(base.event, name=name, description=" ".join(["Why we met and what we hoped to learn."] * 28))
    first = replace(base.tables[0], theme="Open Science, Reproducibility and the Long-Term Sustainability of Software",
                    question="What " + "would make reproducibility the default in our labs, " * 5 + "and who pays?",
                    headings=tuple(f"Heading number {n}" for n in range(1, 9)))
    snapshot = replace(base, event=event, tables=(first, *base.tables[1:]))
    pages = {name: len(PdfReader(io.BytesIO(RENDERERS[name].render(snapshot))).pages) for name in ("cards.pdf", "poster.pdf")}
    assert pages == {"cards.pdf": len(snapshot.tables), "poster.pdf": 1}
    summary = RENDERERS["summary.pdf"].render(snapshot)
    assert "Contents" in pdf_text(summary, first=2, last=2)


def test_an_empty_cafe_says_so_instead_of_empty_charts_and_appendix(make_snapshot) -> None:
    data = RENDERERS["summary.pdf"].render(make_snapshot(per_heading=0, hostile=False))
    spaced = flat(pdf_text(data))
    assert "Appendix: every note" in spaced and "No notes have been published yet." in spaced
    assert "nothing to chart" in spaced and "Notes per table" not in spaced


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


# ---------- A large café's summary, laid out in parts on several cores and joined ----------

def child_processes() -> set[int]:
    """The process ids of this process's children, zombies included (Linux only; else the test is skipped)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    files = [task / "children" for task in tasks.iterdir()] if tasks.is_dir() else []
    if not files or not all(file.exists() for file in files):
        pytest.skip("this system does not list a process's children")
    return {int(pid) for file in files for pid in file.read_text().split()}


def outline_entries(reader: PdfReader) -> list[tuple[int, str, int]]:
    """The PDF outline, flattened: (depth, title, page index) in reading order."""
    entries: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return entries


def appendix_text(pages: list[str], event: str) -> str:
    """The appendix's text, with the running header and page number of each page taken out (a note may run on to
    the next page, past both)."""
    spaced = " ".join(re.sub(r"\d+ / \d+$", "", flat(text).removeprefix(f"{event} Appendix")) for text in pages)
    return spaced[spaced.index("Appendix: every note Every"):]


def holds(text: str, note: str) -> bool:
    """Whether pdftotext's text holds a note, wherever lines wrapped in it."""
    if is_rtl(note):
        return all(word in text for word in note.split())
    # pdftotext joins a line that ends in "-" to the next one, dropping the "-".
    return note in text or "".join(note.split()).rstrip("-") in "".join(text.split())


@pytest.fixture
def large(make_snapshot: Callable[..., Snapshot], monkeypatch: pytest.MonkeyPatch) -> Snapshot:
    """A café past the threshold for parts (lowered to keep the test short), with a hostile event name."""
    import dataclasses

    from cafe.export import summary_parts

    monkeypatch.setattr(cafe.export.pdf, "PARTS_ABOVE", 100)
    monkeypatch.setattr(cafe.export.pdf, "LIST_ALL_UP_TO", 100)
    monkeypatch.setattr(cafe.export.pdf, "TOP_NOTES", 3)
    # Three parts even on one core: the middle one is neither the first nor the last.
    monkeypatch.setattr(summary_parts, "available_cores", lambda: 3)
    snapshot = make_snapshot(tables=6, per_heading=12, filler=25)
    return dataclasses.replace(snapshot, event=dataclasses.replace(snapshot.event, name='Café <b>"x"</b> & co'))


@pytest.fixture
def parts_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many parts each summary was laid out in, as render_in_parts returned them (0: not in parts)."""
    from cafe.export import summary_parts

    made: list[int] = []
    real_plan, real_render = summary_parts.plan, summary_parts.render_in_parts

    def plan(*args: object, **kwargs: object) -> list:
        parts = real_plan(*args, **kwargs)
        made.append(len(parts))
        return parts

    def render_in_parts(*args: object, **kwargs: object) -> bytes | None:
        data = real_render(*args, **kwargs)
        if data is None:
            made[-1] = 0
        return data
    monkeypatch.setattr(summary_parts, "plan", plan)
    monkeypatch.setattr(summary_parts, "render_in_parts", render_in_parts)
    return made


def test_parts_split_between_tables_evenly_and_in_order(make_snapshot) -> None:
    from cafe.export import summary_parts

    snapshot = make_snapshot(tables=12, per_heading=10, filler=20, hostile=False)
    sections = cafe.export.pdf.table_sections(snapshot, top=3)
    parts = summary_parts.plan(sections, 2)
    assert [part.front for part in parts] == [True, False]
    assert [s for part in parts for s in part.appendix] == sections
    first = sum(map(summary_parts.front_weight, sections)) + sum(map(summary_parts.appendix_weight, parts[0].appendix))
    second = sum(map(summary_parts.appendix_weight, parts[1].appendix))
    assert abs(first - second) <= max(map(summary_parts.appendix_weight, sections))
    # A part never starts without a table to print; one core makes one part.
    assert len(summary_parts.plan(sections, 1)) == 1
    assert all(any(s.batches for s in part.appendix) for part in summary_parts.plan(sections[:2], 8)[1:])
    # When the front outweighs a share, the first part is the front alone.
    listed = cafe.export.pdf.table_sections(snapshot)
    parts = summary_parts.plan(listed, 2)
    assert parts[0].appendix == [] and parts[1].appendix == listed


def test_a_large_cafe_in_parts_prints_every_note_numbers_every_page_and_keeps_its_outline(large, parts_made, caplog):
    before = child_processes()
    data = RENDERERS["summary.pdf"].render(large)
    assert parts_made == [3] and "in one piece" not in caplog.text
    assert child_processes() <= before  # every worker ended and reaped
    pages = pdf_text(data).split("\f")[:-1]
    reader = PdfReader(io.BytesIO(data))
    count = len(reader.pages)
    assert len(pages) == count > 10

    # Every visible note, in full, in the appendix; no hidden one anywhere.
    appendix = appendix_text(pages, large.event.name)
    assert [note.text for note in large.visible_notes if not holds(appendix, note.text)] == []
    assert "HIDDEN" not in " ".join(pages) and "No notes have been published yet." not in flat(" ".join(pages))
    for literal in ("<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }} {% raw %} ${7*7}"):
        assert literal in appendix

    # Continuous page numbers on every page but the cover, and the running header, event name included, on each.
    assert f"/ {count}" not in flat(pages[0])
    for number, text in enumerate(pages[1:], start=2):
        assert flat(text).endswith(f"{number} / {count}"), number
        assert flat(text).startswith('Café <b>"x"</b> & co'), number
    assert all("Appendix" in flat(text)[:40] for text in pages[-count // 3:])

    # The outline of the whole: the event, its sections, the appendix with each table's notes where they start.
    entries = outline_entries(reader)
    assert entries[0][:2] == (0, 'Café <b>"x"</b> & co')
    appendix_at = next(i for i, entry in enumerate(entries) if entry[1] == "Appendix: every note")
    tables = entries[appendix_at + 1:]
    assert [title for _, title, _ in tables] == [f"Table {t.number} · {t.theme}" for t in large.tables]
    assert all(depth == 2 for depth, _, _ in tables)
    for _, title, page in tables:
        assert title in flat(pages[page])
    assert [page for _, _, page in tables] == sorted(page for _, _, page in tables)

    assert "/JavaScript" not in reader.trailer["/Root"].get("/Names", {})
    assert "/OpenAction" not in reader.trailer["/Root"]

    # The contents page's links jump to each table and to the appendix, and its printed numbers agree.
    contents = flat(pages[1])
    targets = {}
    for annotation in reader.pages[1]["/Annots"]:
        action = annotation.get_object()
        assert "/URI" not in action.get("/A", {})
        targets[action["/Dest"]] = reader.get_destination_page_number(reader.named_destinations[action["/Dest"]])
    for table in large.tables:
        page = targets[f"table-{table.number}"]
        assert f"Host: {table.host} ·" in pages[page]
        assert re.search(rf"Table {table.number} {re.escape(table.theme)} {page + 1}\b", contents)
    assert flat(pages[targets["appendix"]]).startswith('Café <b>"x"</b> & co Appendix Appendix: every note')
    assert re.search(rf"Appendix: every note {targets['appendix'] + 1}\b", contents)


def test_a_small_cafe_is_laid_out_in_one_piece(make_snapshot, parts_made) -> None:
    data = RENDERERS["summary.pdf"].render(make_snapshot())
    assert parts_made == []
    assert "Appendix: every note" in pdf_text(data)


@pytest.mark.parametrize("failure", ["raises", "dies", "hangs"])
def test_a_failing_part_falls_back_to_one_piece(failure, large, parts_made, monkeypatch, caplog) -> None:
    from cafe.export import summary_parts

    real_describe, real_number = summary_parts.describe, summary_parts.number

    def describe(document, front: bool):  # runs in the workers
        if not front and failure == "dies":
            os._exit(3)
        if not front and failure == "hangs":
            import time
            time.sleep(600)
        return real_describe(document, front)

    def number(*args):  # runs in the workers, once every part is laid out
        raise RuntimeError("no numbers today")
    monkeypatch.setattr(summary_parts, "describe", describe)
    if failure == "raises":
        monkeypatch.setattr(summary_parts, "number", number)
    if failure == "hangs":
        monkeypatch.setattr(summary_parts, "TIMEOUT", 5.0)
    before = child_processes()
    data = RENDERERS["summary.pdf"].render(large)
    assert child_processes() <= before  # the stuck or failed workers were ended and reaped
    assert "laying it out in one piece" in caplog.text
    assert failure != "raises" or "no numbers today" in caplog.text
    pages = pdf_text(data).split("\f")[:-1]
    count = len(PdfReader(io.BytesIO(data)).pages)
    assert all(flat(text).endswith(f"{number} / {count}") for number, text in enumerate(pages[1:], start=2))
    appendix = appendix_text(pages, large.event.name)
    assert [note.text for note in large.visible_notes if not holds(appendix, note.text)] == []
