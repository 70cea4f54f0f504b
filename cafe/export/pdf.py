"""PDF exports, rendered with WeasyPrint from a Snapshot: table cards, a poster for the room, the written summary.

- cards.pdf: one A5 portrait card per table (print two to an A4 sheet, or on A5 card), to stand in a holder or lie
  on the table; its big QR code opens that table's phone page.
- poster.pdf: one A3 portrait page (scales down to A4 cleanly) with the join code and a QR code of the join link.
- summary.pdf: A4; cover, contents, an overview with charts, a section per table, and an appendix of every note.
  A large café's is laid out in parts on several cores at once, then joined (summary_parts.py).

Only visible notes are printed. Every piece of user text goes through Jinja's autoescaping; the charts and QR
codes are made here as SVG, and the renderer fetches nothing but those data: URIs.
"""
from __future__ import annotations

import base64
import io
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import jinja2
import qrcode
import qrcode.constants
import qrcode.image.svg
from markupsafe import Markup

from cafe.config import ROOT
from cafe.export import charts
from cafe.export.registry import register
from cafe.export.snapshot import NoteInfo, PollInfo, Snapshot, TableInfo
from cafe.export.text import poll_sentence

if TYPE_CHECKING:
    from weasyprint import CSS, Document

TEMPLATES = ROOT / "templates" / "export"
PDF = "application/pdf"
NO_HEADING = "Without a heading"
# Table sections list every note of a café up to this size; past it, only the TOP_NOTES most-voted per heading,
# while the appendix still prints every note. WeasyPrint takes about 2 ms per listed note on our machines, so a
# 10,000-note café cannot list every note twice within the 15 s we aim for.
LIST_ALL_UP_TO = 2000
TOP_NOTES = 20
# Past this many notes the summary is laid out in parts on several cores at once (summary_parts.py): a 10,000-note
# café takes about twice as long in one piece. Below it, one piece is quick enough and needs no extra processes.
PARTS_ABOVE = 2000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    """Notes under one heading that share a theme (theme None: the notes that have none)."""

    theme: str | None
    notes: list[NoteInfo]


@dataclass(frozen=True)
class HeadingBlock:
    """One heading of a table: its most-voted notes, grouped by theme, and how many it has in all."""

    heading: str
    groups: list[Group]
    count: int

    @property
    def shown(self) -> int:
        """How many of the heading's notes the section prints."""
        return sum(len(group.notes) for group in self.groups)


@dataclass(frozen=True)
class Batch:
    """A table's notes from one round under one heading, in posting order: one paragraph of the appendix."""

    round: int | None
    heading: str
    notes: list[NoteInfo]


@dataclass(frozen=True)
class TableSection:
    """What the summary prints for one table."""

    table: TableInfo
    blocks: list[HeadingBlock]
    batches: list[Batch]
    count: int


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The templates of the printed exports, outside Flask so a renderer needs no app."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["day"] = long_date
    env.filters["clock"] = lambda moment: moment.strftime("%H:%M")
    env.filters["bare"] = without_scheme
    return env


@lru_cache(maxsize=4)
def stylesheet(name: str = "print.css") -> CSS:
    """A stylesheet of the printed exports, parsed once per process."""
    from weasyprint import CSS

    return CSS(string=(TEMPLATES / name).read_text(encoding="utf-8"))


def long_date(day: date | datetime | None) -> str:
    """A date as printed on a cover, e.g. "Thursday 18 June 2026"; empty when there is none."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


def without_scheme(url: str) -> str:
    """A URL as people type it: no https://, no trailing slash."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/") if parts.netloc else url


def qr_code(data: str) -> Markup:
    """A QR code as an SVG data URI, with the standard four-module quiet zone so phones find it on paper."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    return Markup("data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii"))


def fill(template: str, **context: object) -> str:
    """A template of the printed exports filled in, every value autoescaped."""
    return _environment().get_template(template).render(**context)


def lay_out(html: str, *extra: CSS) -> Document:
    """Lay out HTML in pages with the print stylesheet, then any `extra`; nothing is fetched from files or the net."""
    # Imported here: WeasyPrint takes over a second to import, and the app imports this module at start-up.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # data: only: QR codes are data URIs, and no text a user typed can make the renderer read a file or a URL.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet(), *extra])


def render_pdf(template: str, **context: object) -> bytes:
    """Fill a template and lay it out as PDF bytes."""
    return lay_out(fill(template, **context)).write_pdf()


def group_by_theme(notes: list[NoteInfo]) -> list[Group]:
    """Notes (most-voted first) grouped by theme, the notes without one as a group of their own; a group comes where
    its most-voted note would, so the room's favourite note leads whether or not someone gave it a theme."""
    groups: dict[str | None, list[NoteInfo]] = defaultdict(list)
    for note in notes:
        groups[note.theme].append(note)
    return [Group(name, members) for name, members in groups.items()]


def table_sections(snapshot: Snapshot, top: int | None = None) -> list[TableSection]:
    """Each table's headings with their notes (the `top` most-voted, if given), and all its notes for the appendix."""
    by_table: dict[int, list[NoteInfo]] = defaultdict(list)
    for note in snapshot.visible_notes:
        by_table[note.table].append(note)
    sections = []
    for table in snapshot.tables:
        posted = by_table.get(table.number, [])
        # Notes under a heading the table no longer has (or none) are still printed, after its own headings.
        headings: list[str | None] = list(table.headings)
        headings += list(dict.fromkeys(n.heading for n in posted if n.heading not in table.headings))
        blocks = []
        for heading in headings:
            notes = snapshot.notes_under(table.number, heading)
            blocks.append(HeadingBlock(heading or NO_HEADING, group_by_theme(notes[:top]), len(notes)))
        batches: dict[tuple[int | None, str | None], list[NoteInfo]] = defaultdict(list)
        for note in posted:
            batches[note.round, note.heading].append(note)
        order = {heading: i for i, heading in enumerate(headings)}
        keys = sorted(batches, key=lambda key: (key[0] is None, key[0] or 0, order[key[1]]))
        sections.append(TableSection(table, blocks, [Batch(r, h or NO_HEADING, batches[r, h]) for r, h in keys],
                                     len(posted)))
    return sections


def summary_charts(snapshot: Snapshot) -> dict[str, Markup]:
    """The overview's charts; the chart functions escape every label, so the SVG is safe to insert as is."""
    per_table = [(f"{t.number}. {t.theme}", snapshot.figures.notes_per_table.get(t.number, 0))
                 for t in snapshot.tables]
    per_round = [(f"Round {r.index}", snapshot.figures.notes_per_round.get(r.index, 0)) for r in snapshot.rounds]
    return {
        "per_table": Markup(charts.horizontal_bars(per_table, title="Notes per table")),
        "per_round": Markup(charts.columns(per_round, title="Notes per round")) if per_round else Markup(""),
    }


def poll_charts(snapshot: Snapshot) -> list[tuple[PollInfo, str, Markup]]:
    """Each published poll with its sentence and chart: a bar per option (points for a ranking), per scale value, or
    per word said most."""
    made = []
    for poll in snapshot.polls:
        r = poll.results
        if r.kind == "scale":
            items = [(str(value), count) for value, count in r.distribution]
        elif r.kind == "open":
            items = list(r.words[:12])
        else:
            items = [(o.text + (" (correct)" if o.correct else ""), o.points if r.kind == "ranking" else o.count)
                     for o in r.ranked()]
        title = {"ranking": "Borda points", "open": "Words said most", "scale": "Answers per value"}.get(r.kind, "Answers")
        made.append((poll, poll_sentence(poll, str, ""), Markup(charts.horizontal_bars(items, title=title))))
    return made


@register("cards.pdf", PDF, "Table cards")
def render_cards(snapshot: Snapshot) -> bytes:
    """One A5 card per table: number, theme, host, question, headings, and a QR code of the table's link."""
    cards = [(table, qr_code(table.url)) for table in snapshot.tables]
    return render_pdf("cards.html", snapshot=snapshot, event=snapshot.event, cards=cards)


@register("poster.pdf", PDF, "Poster for the room")
def render_poster(snapshot: Snapshot) -> bytes:
    """An A3 poster: the event, its join link and code, and a QR code of the join link."""
    return render_pdf("poster.html", snapshot=snapshot, event=snapshot.event, qr=qr_code(snapshot.event.join_url))


def summary_context(snapshot: Snapshot, sections: list[TableSection]) -> dict[str, object]:
    """What summary.html prints of a snapshot, but for which part of it (`front`, `appendix`)."""
    return {"snapshot": snapshot, "event": snapshot.event, "figures": snapshot.figures, "sections": sections,
            "charts": summary_charts(snapshot), "round_questions": [r for r in snapshot.rounds if r.question.strip()],
            "poll_charts": poll_charts(snapshot)}


@register("summary.pdf", PDF, "PDF summary")
def render_summary(snapshot: Snapshot) -> bytes:
    """The written harvest: cover, contents, overview charts, a section per table and an appendix of all notes."""
    sections = table_sections(snapshot, None if len(snapshot.visible_notes) <= LIST_ALL_UP_TO else TOP_NOTES)
    context = summary_context(snapshot, sections)
    if len(snapshot.visible_notes) > PARTS_ABOVE:
        # Imported here, like WeasyPrint: only a large café needs it.
        from cafe.export import summary_parts

        try:
            data = summary_parts.render_in_parts(context, sections)
        except summary_parts.PartsFailed as error:
            # Slower, but the summary is still made: a failed part never costs the organiser their PDF.
            log.warning("summary of %s in parts failed (%s); laying it out in one piece", snapshot.event.code, error)
        else:
            if data is not None:
                return data
    return render_pdf("summary.html", front=True, appendix=sections, **context)
