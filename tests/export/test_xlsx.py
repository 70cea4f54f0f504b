"""The Excel themes workbook: read back with openpyxl, and opened by LibreOffice as a user's tools would."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Callable

import pytest
from openpyxl import Workbook, load_workbook

from cafe.export import xlsx
from cafe.export.registry import RENDERERS
from cafe.export.snapshot import Snapshot

from conftest import HOSTILE

NOTE_HEADERS = ["Round", "Heading", "Note", "Votes", "Theme", "Author", "Time (UTC)"]
FORMULA_LIKE = [t for t in HOSTILE if t[0] in "=+-@"]


def render(snapshot: Snapshot) -> bytes:
    """The workbook's bytes, through the registry as the app calls it."""
    return RENDERERS["themes.xlsx"].render(snapshot)


@pytest.fixture
def open_workbook() -> Iterator[Callable[[bytes], Workbook]]:
    """Load workbooks from bytes and close them after the test."""
    opened: list[Workbook] = []

    def load(data: bytes) -> Workbook:
        opened.append(load_workbook(BytesIO(data)))
        return opened[-1]
    yield load
    for workbook in opened:
        workbook.close()


@pytest.fixture
def snapshot(make_snapshot: Callable[..., Snapshot]) -> Snapshot:
    """Three tables, hostile notes at table 1, one hidden note per table, two themes."""
    return make_snapshot(themes=True)


@pytest.fixture
def workbook(snapshot: Snapshot, open_workbook: Callable[[bytes], Workbook]) -> Workbook:
    """The snapshot's workbook, read back."""
    return open_workbook(render(snapshot))


def rows(workbook: Workbook, title: str) -> list[tuple]:
    """A sheet's rows as values, header included."""
    return list(workbook[title].iter_rows(values_only=True))


def test_registered() -> None:
    item = RENDERERS["themes.xlsx"]
    assert item.title == "Excel themes workbook"
    assert item.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_sheets_in_order(workbook: Workbook) -> None:
    assert workbook.sheetnames == ["Summary", "Themes", "1 Theme 1", "2 Theme 2", "3 Theme 3", "All notes"]


def test_every_sheet_has_a_bold_frozen_header_and_a_filter(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        header = sheet[1]
        assert all(cell.font.bold for cell in header), sheet.title
        last = header[-1].column_letter
        assert sheet.auto_filter.ref.startswith("A1:" + last), sheet.title
        assert all(sheet.column_dimensions[c.column_letter].width for c in header), sheet.title


def test_summary_counts_visible_notes_with_totals(snapshot: Snapshot, workbook: Workbook) -> None:
    table = rows(workbook, "Summary")
    assert table[0] == ("Table", "Table theme", "Blockers", "Needed support", "Total")
    counts = Counter((n.table, n.heading) for n in snapshot.visible_notes)
    for row, info in zip(table[1:-1], snapshot.tables):
        blockers, support = counts[(info.number, "Blockers")], counts[(info.number, "Needed support")]
        assert row == (info.number, info.theme, blockers, support, blockers + support)
    total = len(snapshot.visible_notes)
    assert table[-1] == ("Total", None, sum(c for (_, h), c in counts.items() if h == "Blockers"),
                         sum(c for (_, h), c in counts.items() if h == "Needed support"), total)
    # The filter stops above the Total row, so sorting leaves it at the bottom.
    assert workbook["Summary"].auto_filter.ref == f"A1:E{len(snapshot.tables) + 1}"


def test_summary_takes_the_union_of_headings_in_first_seen_order(make_snapshot: Callable[..., Snapshot],
                                                                  open_workbook: Callable[[bytes], Workbook]) -> None:
    base = make_snapshot(hostile=False)
    tables = (replace(base.tables[0], headings=("Issues", "Blockers")), *base.tables[1:])
    header = rows(open_workbook(render(replace(base, tables=tables))), "Summary")[0]
    assert header == ("Table", "Table theme", "Issues", "Blockers", "Needed support", "Total")


def test_themes_sheet_has_one_row_per_theme(snapshot: Snapshot, workbook: Workbook) -> None:
    table = rows(workbook, "Themes")
    assert table[0] == ("Theme", "Table", "Heading", "Notes", "Votes", "Example 1", "Example 2")
    by_id = {n.id: n for n in snapshot.visible_notes}
    assert len(table) == 1 + len(snapshot.themes)
    for theme in snapshot.themes:
        row = next(r for r in table[1:] if r[0] == theme.name)
        members = sorted((by_id[i] for i in theme.note_ids), key=lambda n: (-n.votes, n.seq))
        assert row[3:] == (len(members), sum(n.votes for n in members), members[0].text, members[1].text)
    assert next(r for r in table if r[0] == "Time for training")[1:3] == ("1 Theme 1", "Blockers")


def test_themes_sheet_explains_when_there_are_none(make_snapshot: Callable[..., Snapshot],
                                                   open_workbook: Callable[[bytes], Workbook]) -> None:
    table = rows(open_workbook(render(make_snapshot())), "Themes")
    assert table[1:] == [(xlsx.NO_THEMES, None, None, None, None, None, None)]


def test_table_sheets_hold_that_tables_visible_notes(snapshot: Snapshot, workbook: Workbook) -> None:
    for info in snapshot.tables:
        table = rows(workbook, f"{info.number} Theme {info.number}")
        assert list(table[0]) == NOTE_HEADERS
        expected = sorted((n.text, n.votes) for n in snapshot.visible_notes if n.table == info.number)
        assert sorted((r[2], r[3]) for r in table[1:]) == expected
        assert workbook[f"{info.number} Theme {info.number}"].auto_filter.ref == f"A1:G{len(table)}"


def test_all_notes_in_posting_order_with_real_times(snapshot: Snapshot, workbook: Workbook) -> None:
    table = rows(workbook, "All notes")
    assert list(table[0]) == ["Table", "Table theme", *NOTE_HEADERS]
    visible = snapshot.visible_notes
    assert [r[4] for r in table[1:]] == [n.text for n in visible]
    for row, note in zip(table[1:], visible):
        assert row[:4] == (note.table, f"Theme {note.table}", note.round, note.heading)
        assert row[5:8] == (note.votes, note.theme, note.author)
        assert isinstance(row[8], datetime) and row[8].tzinfo is None
        assert row[8] == note.created_at.replace(tzinfo=None), "naive UTC"


def test_note_columns_wrap(workbook: Workbook) -> None:
    assert workbook["All notes"]["E2"].alignment.wrap_text
    assert workbook["1 Theme 1"]["C2"].alignment.wrap_text


def test_author_column_only_when_someone_gave_a_name(make_snapshot: Callable[..., Snapshot],
                                                     open_workbook: Callable[[bytes], Workbook]) -> None:
    base = make_snapshot(hostile=False)
    anonymous = replace(base, notes=tuple(replace(n, author=None) for n in base.notes))
    header = rows(open_workbook(render(anonymous)), "1 Theme 1")[0]
    assert "Author" not in header and header[-1] == "Time (UTC)"


def test_formula_like_text_is_stored_as_text(workbook: Workbook) -> None:
    cells = {c.value: c for row in workbook["All notes"].iter_rows(min_row=2, min_col=5, max_col=5) for c in row}
    for text in FORMULA_LIKE:
        assert cells[text].data_type == "s", text
        assert cells[text].quotePrefix, "Excel keeps it text when the cell is edited"
    assert cells[HOSTILE[4]].value.startswith("=HYPERLINK(")
    authors = [c for row in workbook["All notes"].iter_rows(min_row=2, min_col=8, max_col=8) for c in row if c.value]
    assert all(c.data_type == "s" for c in authors)


def test_formula_like_theme_and_heading_names_are_text(make_snapshot: Callable[..., Snapshot],
                                                       open_workbook: Callable[[bytes], Workbook]) -> None:
    base = make_snapshot(hostile=False)
    tables = (replace(base.tables[0], theme="=1+1", headings=("=SUM(A1)", "Needed support")), *base.tables[1:])
    notes = tuple(replace(n, heading="=SUM(A1)") if n.table == 1 and n.heading == "Blockers" else n for n in base.notes)
    book = open_workbook(render(replace(base, tables=tables, notes=notes)))
    summary = book["Summary"]
    assert (summary["B2"].value, summary["B2"].data_type) == ("=1+1", "s")
    assert (summary["C1"].value, summary["C1"].data_type) == ("=SUM(A1)", "s")
    assert "1 =1+1" in book.sheetnames


def test_hidden_notes_never_appear(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "HIDDEN" in v for v in row), sheet.title


@pytest.mark.parametrize(("themes", "expected"), [
    (["Training"], ["1 Training"]),
    (["Data: [raw]/cooked? *all* \\ of it"], ["1 Data raw cooked all of it"]),
    (["A theme name far longer than Excel allows for a sheet"], ["1 A theme name far longer than"]),
    (["'quoted'"], ["1 'quoted"]),
    (["", "///"], ["1", "2"]),
])
def test_sheet_names_fit_excel(make_snapshot: Callable[..., Snapshot], themes: list[str], expected: list[str]) -> None:
    base = make_snapshot(tables=len(themes), hostile=False)
    tables = tuple(replace(t, theme=theme) for t, theme in zip(base.tables, themes))
    assert list(xlsx.sheet_names(tables, {"Summary"}).values()) == expected


@pytest.mark.parametrize(("theme", "taken", "expected"), [
    ("Training", {"1 training"}, "1 Training (2)"),
    ("x" * 40, {"1 " + "x" * 29}, "1 " + "x" * 25 + " (2)"),
    ("x" * 40, {"1 " + "x" * 29, "1 " + "x" * 25 + " (2)"}, "1 " + "x" * 25 + " (3)"),
])
def test_sheet_names_stay_unique_within_the_limit(make_snapshot: Callable[..., Snapshot], theme: str, taken: set[str],
                                                  expected: str) -> None:
    tables = (replace(make_snapshot(tables=1, hostile=False).tables[0], theme=theme),)
    assert xlsx.sheet_names(tables, taken) == {1: expected}
    assert len(expected) <= 31


def test_libreoffice_opens_the_workbook(snapshot: Snapshot, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) must be installed under CI to check the workbook opens")
        pytest.skip("LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run this check")
    source = tmp_path / "themes.xlsx"
    source.write_bytes(render(snapshot))
    out = tmp_path / "out"
    # The filter options ask for UTF-8 and, with the final -1, one CSV per sheet (LibreOffice 7.2 and later).
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(out),
         str(source)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    all_notes = out / "themes-All notes.csv"
    assert all_notes.is_file(), f"no CSV for 'All notes' among {sorted(p.name for p in out.iterdir())}"
    with all_notes.open(encoding="utf-8", newline="") as file:
        cells = [row[4] for row in csv.reader(file)]
    assert cells[0] == "Note"
    assert set(FORMULA_LIKE) <= set(cells), "LibreOffice keeps formula-like notes as text"
    assert not any("HIDDEN" in c for c in cells)
