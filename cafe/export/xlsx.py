"""Pure: the Excel themes workbook, streamed with openpyxl's write-only mode so large events stay fast and small."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from cafe.export.registry import register
from cafe.export.snapshot import NoteInfo, Snapshot, TableInfo
from cafe.export.text import poll_rows

NO_THEMES = "No themes yet: group notes into themes on the console"
NO_HEADING = "(no heading)"
SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Spreadsheets read a cell that starts with one of these as a formula when it is typed or edited.
FORMULA_STARTS = ("=", "+", "-", "@")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width in characters, and whether its text wraps."""

    header: str
    width: float
    wrap: bool = False


def _clean(text: str) -> str:
    """Text without the control characters that the xlsx format cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _utc(moment: datetime) -> datetime:
    """A naive UTC datetime, since Excel has no time zones; a naive input is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def table_label(table: TableInfo) -> str:
    """How a table is named in cells and sheet names: its number and its theme."""
    return f"{table.number} {table.theme}".strip()


def sheet_names(tables: tuple[TableInfo, ...], taken: set[str]) -> dict[int, str]:
    """One unique sheet name per table number, within Excel's 31 characters and without its forbidden characters."""
    used = {name.casefold() for name in taken}
    names: dict[int, str] = {}
    for table in tables:
        # Excel also refuses a name that starts or ends with an apostrophe.
        base = " ".join(FORBIDDEN_IN_SHEET_NAMES.sub(" ", table_label(table)).split()).strip("'") or str(table.number)
        name, copy = base[:SHEET_NAME_LIMIT].rstrip("' "), 1
        while name.casefold() in used:
            copy += 1
            suffix = f" ({copy})"
            name = base[:SHEET_NAME_LIMIT - len(suffix)].rstrip("' ") + suffix
        used.add(name.casefold())
        names[table.number] = name
    return names


class _Sheet:
    """A write-only sheet with a bold frozen header, set column widths, guarded text and an autofilter."""

    def __init__(self, workbook: Workbook, title: str, columns: list[Column]):
        self.ws = workbook.create_sheet(title)
        self.wraps = [c.wrap for c in columns]
        # Write-only sheets take column widths and the frozen pane only before the first row.
        for index, column in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        self.rows = 0
        self.styles: dict[tuple[bool, bool, bool, bool], StyleArray] = {}
        self.append([self.cell(c.header, bold=True) for c in columns])

    def _style(self, wrap: bool, bold: bool, quote: bool, timed: bool) -> StyleArray:
        """The style for a kind of cell, made once per sheet: setting styles cell by cell costs a hash lookup each."""
        key = (wrap, bold, quote, timed)
        if key not in self.styles:
            template = WriteOnlyCell(self.ws)
            if wrap:
                template.alignment = WRAP
            if bold:
                template.font = BOLD
            if quote:
                template.quotePrefix = True
            if timed:
                template.number_format = TIME_FORMAT
            # A cell takes a ready style array as it is made, which skips that lookup for every later cell.
            self.styles[key] = template._style
        return self.styles[key]

    def cell(self, value: Any, *, wrap: bool = False, bold: bool = False) -> Any:
        """A value as appended: a styled cell when it wraps, is bold, is a time or is text that looks like a formula."""
        if value is None:
            return None
        quote = False
        if isinstance(value, str):
            value = _clean(value)
            quote = value.startswith(FORMULA_STARTS)
        timed = isinstance(value, datetime)
        if not (wrap or bold or quote or timed):
            return value
        cell = Cell(self.ws, row=1, column=1, value=value, style_array=self._style(wrap, bold, quote, timed))
        if isinstance(value, str):
            # openpyxl stores a string that starts with "=" as a formula unless told it is text.
            cell.data_type = "s"
        return cell

    def append(self, values: list[Any]) -> None:
        """Write one row."""
        self.ws.append(values)
        self.rows += 1

    def add(self, values: list[Any]) -> None:
        """Write one data row, wrapping the columns that wrap."""
        # Numbers and blanks go in as they are; only text and times may need a cell of their own.
        self.append([self.cell(v, wrap=w) if isinstance(v, (str, datetime)) else v for v, w in zip(values, self.wraps)])

    def finish(self) -> None:
        """Filter the header and the rows written so far (a totals row written after stays put when sorting)."""
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.wraps))}{max(self.rows, 2)}"


def _headings(snapshot: Snapshot, notes: list[NoteInfo]) -> list[str]:
    """Every heading of every table, first seen first, then any that only notes name."""
    seen: dict[str, None] = {}
    for table in snapshot.tables:
        seen.update(dict.fromkeys(table.headings))
    for note in notes:
        seen.setdefault(note.heading or NO_HEADING)
    return list(seen)


def _summary(workbook: Workbook, snapshot: Snapshot, notes: list[NoteInfo]) -> None:
    """Visible notes counted per table and heading, with totals."""
    headings = _headings(snapshot, notes)
    counts = Counter((n.table, n.heading or NO_HEADING) for n in notes)
    sheet = _Sheet(workbook, "Summary", [Column("Table", 8), Column("Table theme", 28),
                                         *(Column(h, max(10, min(len(h) + 2, 24))) for h in headings),
                                         Column("Total", 8)])
    for table in snapshot.tables:
        row = [counts[(table.number, h)] for h in headings]
        sheet.add([table.number, table.theme, *row, sum(row)])
    sheet.finish()
    column_totals = [sum(counts[(t.number, h)] for t in snapshot.tables) for h in headings]
    sheet.append([sheet.cell("Total", bold=True), None, *column_totals, sum(column_totals)])


def _themes(workbook: Workbook, snapshot: Snapshot, notes: list[NoteInfo]) -> None:
    """One row per theme with its size, votes and two examples, largest first."""
    sheet = _Sheet(workbook, "Themes", [Column("Theme", 28), Column("Table", 24),
                                        Column("Heading", 22), Column("Notes", 8), Column("Votes", 8),
                                        Column("Example 1", 50, wrap=True), Column("Example 2", 50, wrap=True)])
    if not snapshot.themes:
        sheet.add([NO_THEMES])
        sheet.finish()
        return
    by_id = {n.id: n for n in notes}
    labels = {t.number: table_label(t) for t in snapshot.tables}
    rows = []
    for theme in snapshot.themes:
        members = sorted((by_id[i] for i in theme.note_ids if i in by_id), key=lambda n: (-n.votes, n.seq))
        tables = [theme.table] if theme.table is not None else sorted({n.table for n in members})
        headings = [theme.heading] if theme.heading else list(dict.fromkeys(n.heading or NO_HEADING for n in members))
        examples = [n.text for n in members[:2]] + [None] * (2 - len(members[:2]))
        rows.append([theme.name, "; ".join(labels.get(t, str(t)) for t in tables), "; ".join(headings),
                     len(members), sum(n.votes for n in members), *examples])
    for row in sorted(rows, key=lambda r: (-r[3], -r[4], r[0].casefold())):
        sheet.add(row)
    sheet.finish()


def _note_columns(with_author: bool) -> list[Column]:
    """The columns describing one note, as every note sheet shows them."""
    columns = [Column("Round", 8), Column("Heading", 22), Column("Note", 60, wrap=True), Column("Votes", 8),
               Column("Theme", 22)]
    if with_author:
        columns.append(Column("Author", 18))
    return columns + [Column("Time (UTC)", 20)]


def _note_values(note: NoteInfo, with_author: bool) -> list[Any]:
    """One note's cells, in the order of _note_columns."""
    values: list[Any] = [note.round, note.heading or NO_HEADING, note.text, note.votes, note.theme]
    if with_author:
        values.append(note.author)
    return values + [_utc(note.created_at)]


def _note_sheets(workbook: Workbook, snapshot: Snapshot, notes: list[NoteInfo]) -> None:
    """A sheet per table, grouped by round and heading, then all notes in posting order."""
    with_author = any(n.author for n in notes)
    names = sheet_names(snapshot.tables, {"Summary", "Themes", "All notes", "Plan", "Polls", "Poll answers", "Questions"})
    by_table: dict[int, list[NoteInfo]] = defaultdict(list)
    for note in notes:
        by_table[note.table].append(note)
    for table in snapshot.tables:
        order = {h: i for i, h in enumerate(table.headings)}
        rows = sorted(by_table[table.number],
                      key=lambda n: (n.round or 0, order.get(n.heading or "", len(order)), -n.votes, n.seq))
        sheet = _Sheet(workbook, names[table.number], _note_columns(with_author))
        for note in rows:
            sheet.add(_note_values(note, with_author))
        sheet.finish()
    themes = {t.number: t.theme for t in snapshot.tables}
    sheet = _Sheet(workbook, "All notes", [Column("Table", 8), Column("Table theme", 24),
                                           *_note_columns(with_author)])
    for note in notes:
        sheet.add([note.table, themes.get(note.table), *_note_values(note, with_author)])
    sheet.finish()


def _plan(workbook: Workbook, snapshot: Snapshot) -> None:
    """The rotation plan, when there is one: each person's table in each round."""
    if not snapshot.planned:
        return
    rounds = [r.index for r in snapshot.rounds]
    sheet = _Sheet(workbook, "Plan", [Column("Name", 26), Column("Organisation", 26), Column("Role", 20),
                                      Column("Hosts table", 12), *(Column(f"Round {r}", 10) for r in rounds)])
    for person in snapshot.people:
        sheet.add([person.name, person.organisation, person.role, person.host_of, *person.tables])
    sheet.finish()


def _activities(workbook: Workbook, snapshot: Snapshot) -> None:
    """The polls' results, every answer (a name only where given) and the questions, when there are any."""
    if snapshot.polls:
        sheet = _Sheet(workbook, "Polls", [Column("Poll", 6), Column("Question", 40, wrap=True), Column("Kind", 10),
                                           Column("Option", 36, wrap=True), Column("Responses", 11),
                                           Column("Share", 8), Column("Mean", 8), Column("Correct", 9)])
        for poll in snapshot.polls:
            for row in poll_rows(poll):
                sheet.add(list(row))
        sheet.finish()
        sheet = _Sheet(workbook, "Poll answers", [Column("Poll", 6), Column("Question", 40, wrap=True),
                                                  Column("Answer", 50, wrap=True), Column("Name", 18),
                                                  Column("Time (UTC)", 20)])
        for poll in snapshot.polls:
            for answer in poll.answers:
                sheet.add([poll.position, poll.question, answer.answer, answer.author, _utc(answer.at)])
        sheet.finish()
    if snapshot.questions:
        sheet = _Sheet(workbook, "Questions", [Column("Question", 60, wrap=True), Column("Votes", 8),
                                               Column("State", 10), Column("Asked at (UTC)", 20),
                                               Column("Answered", 20), Column("Name", 18)])
        for q in snapshot.questions:
            sheet.add([q.text, q.votes, q.state, _utc(q.asked_at), _utc(q.answered_at) if q.answered_at else None,
                       q.author])
        sheet.finish()


@register("themes.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel themes workbook")
def render_xlsx(snapshot: Snapshot) -> bytes:
    """The workbook: a summary, the themes, one sheet per table, all notes and the plan; hidden notes left out."""
    notes = snapshot.visible_notes
    workbook = Workbook(write_only=True)
    workbook.properties.title = _clean(snapshot.event.name)
    workbook.properties.creator = "cafe"
    _summary(workbook, snapshot, notes)
    _themes(workbook, snapshot, notes)
    _note_sheets(workbook, snapshot, notes)
    _plan(workbook, snapshot)
    _activities(workbook, snapshot)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
