"""A long summary laid out in parts on several cores at once, then joined into one PDF.

WeasyPrint lays a document out on one core, and the appendix of a 10,000-note café keeps it busy for most of the
export. The summary splits cleanly between the appendix's tables: the first part is the cover up to the appendix's
first tables, each later part more of the appendix, each about as much text as the others. A forked process lays
out each part, says how many pages it has, learns where they fall in the whole, and sends back its PDF with its page
numbers; this process joins the PDFs and rebuilds the outline (bookmarks) of the whole. The contents page and its
links need nothing more: they are in the first part, with everything they point to.

A part cannot know its page numbers before the parts ahead of it are laid out, so its footer stays blank and a sheet
holding only the footer, with the right numbers, is laid over its pages (summary_parts.css).

Forking is fine here: exports run in a process of their own (`python -m cafe.export`, or an export worker's job),
never in the web server's. Whatever goes wrong raises PartsFailed, and the caller lays the summary out in one piece.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import time
import traceback
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from cafe.export.pdf import TableSection, fill, lay_out, stylesheet

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from weasyprint import Document

# Seconds to wait for the parts' lengths, then again for their PDFs: far more than a 10,000-note café needs (about
# 10 s), so only a stuck or lost worker meets it.
TIMEOUT = 150.0
# What laying out a note costs, counted in characters of text. A note listed in a table section is a paragraph of
# its own, worth about PARAGRAPH characters besides its text; in the appendix a note is a run of text inside its
# batch's paragraph, with its time and a separator. Measured on the benchmark café (bench/exports.py).
PARAGRAPH = 300
APPENDIX_NOTE = 10
# Points per CSS pixel: WeasyPrint lays out in CSS pixels, a PDF counts in points.
POINT = 0.75
# Added after print.css in the parts and in the sheets of page numbers laid over them.
PARTS_CSS = "summary_parts.css"
# The anchor of the contents page: the pages of the first part before it (the cover) have no page number.
CONTENTS = "contents"


class PartsFailed(Exception):
    """A part could not be laid out, numbered or joined: the summary has to be laid out in one piece."""


@dataclass(frozen=True)
class Part:
    """A slice of the summary: from the cover up to the appendix's heading (`front`) or not, then some tables' notes."""

    front: bool
    appendix: list[TableSection]


@dataclass(frozen=True)
class Bookmark:
    """An outline entry: its level (h1 is 1), label, page within its part and place on it (in PDF points), and
    whether it shows its children at first."""

    level: int
    label: str
    page: int
    left: float
    top: float
    open: bool


@dataclass(frozen=True)
class Layout:
    """What a worker reports of its laid-out part: its pages, how many leading ones go unnumbered, its bookmarks."""

    pages: int
    unnumbered: int
    bookmarks: list[Bookmark]


@dataclass(frozen=True)
class Failure:
    """What a worker reports instead when it fails: the traceback, for the log."""

    trace: str


def available_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def front_weight(section: TableSection) -> int:
    """What a table's section (its listed notes) costs to lay out, in characters."""
    notes = [note for block in section.blocks for group in block.groups for note in group.notes]
    listed = sum(len(note.text) + len(note.author or "") + PARAGRAPH for note in notes)
    # The table's title, host line and questions, and each heading's title, are paragraphs too.
    return listed + PARAGRAPH * (4 + len(section.blocks))


def appendix_weight(section: TableSection) -> int:
    """What a table's share of the appendix (all its notes) costs to lay out, in characters."""
    return sum(PARAGRAPH + sum(len(note.text) + APPENDIX_NOTE for note in batch.notes) for batch in section.batches)


def plan(sections: Sequence[TableSection], count: int) -> list[Part]:
    """Up to `count` parts, cut between the appendix's tables so that each holds about as much work."""
    weights = [appendix_weight(section) for section in sections]
    front = sum(front_weight(section) for section in sections)
    total = front + sum(weights)
    # Where the work done so far, before each table of the appendix, stands: cut where it nears each share.
    before = [front]
    for weight in weights:
        before.append(before[-1] + weight)
    cuts = {min(range(len(before)), key=lambda i: abs(before[i] - total * k / count)) for k in range(1, count)}
    # A cut after the last table would leave nothing to a part; one before the first leaves the first part the front
    # alone, which is right when the front is the larger share (many tables, few notes each).
    edges = [*sorted(cuts - {len(sections)}), len(sections)]
    parts = [Part(True, list(sections[:edges[0]]))]
    parts += [Part(False, list(sections[start:end])) for start, end in zip(edges, edges[1:])]
    # A part whose tables have no notes would print nothing but a blank page.
    return [part for part in parts if part.front or any(section.batches for section in part.appendix)]


def part_html(part: Part, context: Mapping[str, Any]) -> str:
    """The HTML of one part of the summary."""
    return fill("summary.html", front=part.front, appendix=part.appendix, **context)


def describe(document: Document, front: bool) -> Layout:
    """A laid-out part's length, unnumbered leading pages and bookmarks."""
    unnumbered = 0
    if front:
        unnumbered = next((i for i, page in enumerate(document.pages) if CONTENTS in page.anchors), -1)
        if unnumbered < 0:
            raise PartsFailed("the first part has no contents page")
    bookmarks = [Bookmark(level, label, index, x * POINT, (page.height - y) * POINT, state == "open")
                 for index, page in enumerate(document.pages) for level, label, (x, y), state in page.bookmarks]
    return Layout(len(document.pages), unnumbered, bookmarks)


def folio_sheet(first: int, count: int, total: int) -> bytes:
    """`count` blank pages that show only their page numbers, from `first`, as PDF bytes."""
    folios = [f"{number} / {total}" for number in range(first, first + count)]
    return lay_out(fill("summary_folios.html", folios=folios), stylesheet(PARTS_CSS)).write_pdf()


def number(data: bytes, unnumbered: int, first: int, total: int) -> bytes:
    """A part's PDF with page numbers laid over its pages after the `unnumbered` leading ones, from `first`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    pages = writer.pages[unnumbered:]
    sheet = PdfReader(io.BytesIO(folio_sheet(first, len(pages), total)))
    if len(sheet.pages) != len(pages):
        raise PartsFailed(f"the sheet of page numbers has {len(sheet.pages)} pages for {len(pages)}")
    for page, folio in zip(pages, sheet.pages):
        page.merge_page(folio)
        # Merging leaves the page's content uncompressed: ten times the size.
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def work(connection: Connection, part: Part, context: Mapping[str, Any]) -> None:
    """In a forked process: lay out a part, report its length, then, told where it starts, send its numbered PDF."""
    try:
        document = lay_out(part_html(part, context), stylesheet(PARTS_CSS))
        layout = describe(document, part.front)
        connection.send(layout)
        offset, total = connection.recv()
        connection.send(number(document.write_pdf(), layout.unnumbered, offset + layout.unnumbered + 1, total))
    except BaseException:
        # The parent logs it and lays the summary out in one piece; it may be gone already.
        with suppress(OSError, ValueError):
            connection.send(Failure(traceback.format_exc()))
    finally:
        connection.close()


def receive(connection: Connection, deadline: float) -> Any:
    """The next message from a worker, or PartsFailed if it failed, died or stayed silent until the deadline."""
    if not connection.poll(max(0.0, deadline - time.monotonic())):
        raise PartsFailed("a part took too long")
    try:
        message = connection.recv()
    except (EOFError, OSError) as error:
        raise PartsFailed("a part's process ended without its result") from error
    if isinstance(message, Failure):
        raise PartsFailed(f"a part failed:\n{message.trace}")
    return message


def join(pdfs: Sequence[bytes], layouts: Sequence[Layout]) -> bytes:
    """The parts' PDFs as one, with the first part's metadata, links and language, and the outline of the whole."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit, NameObject

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(data)) for data in pdfs]
    for reader in readers:
        # The outline is rebuilt below: each part's own would be a forest of orphans.
        writer.append(reader, import_outline=False)
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    language = readers[0].trailer["/Root"].get("/Lang")
    if language is not None:
        writer.root_object[NameObject("/Lang")] = language
    # Each entry goes under the nearest entry before it of a lower level, as WeasyPrint nests headings in one piece.
    offset = 0
    ancestors: list[tuple[int, Any]] = []
    for layout in layouts:
        for mark in layout.bookmarks:
            while ancestors and ancestors[-1][0] >= mark.level:
                ancestors.pop()
            parent = ancestors[-1][1] if ancestors else None
            item = writer.add_outline_item(title=mark.label, page_number=offset + mark.page, parent=parent,
                                           fit=Fit.xyz(left=mark.left, top=mark.top, zoom=0), is_open=mark.open)
            ancestors.append((mark.level, item))
        offset += layout.pages
    if len(writer.pages) != offset:
        raise PartsFailed(f"the joined summary has {len(writer.pages)} pages, not {offset}")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stop(processes: Sequence[BaseProcess], *, done: bool) -> None:
    """Make sure every worker has ended and is reaped, none left running or as a zombie: given time if `done`."""
    for process in processes:
        if done:
            # It has sent its PDF and is on its way out.
            process.join(5)
        if process.is_alive():
            process.kill()
        process.join()


def render_in_parts(context: Mapping[str, Any], sections: Sequence[TableSection],
                    workers: int | None = None) -> bytes | None:
    """The summary laid out in parts at once and joined; None when one piece would do as well (one core, one part)."""
    parts = plan(sections, workers or available_cores())
    if len(parts) < 2:
        return None
    try:
        return run(parts, context)
    except PartsFailed:
        raise
    except Exception as error:  # importing, forking, piping or joining: one piece still makes the summary
        raise PartsFailed(f"{type(error).__name__}: {error}") from error


def run(parts: Sequence[Part], context: Mapping[str, Any]) -> bytes:
    """Lay out the parts in forked workers, have them numbered, and join them; every worker is reaped on the way out."""
    # What every worker needs, made here once before forking rather than in each: WeasyPrint and pypdf imported (over
    # a second), the stylesheets parsed.
    import pypdf  # noqa: F401

    stylesheet()
    stylesheet(PARTS_CSS)
    forking = multiprocessing.get_context("fork")
    processes: list[BaseProcess] = []
    connections: list[Connection] = []
    done = False
    try:
        for index, part in enumerate(parts):
            ours, theirs = forking.Pipe()
            # Daemonic: should this process end first, multiprocessing ends the workers rather than leave them.
            process = forking.Process(target=work, args=(theirs, part, context), name=f"summary-part-{index}",
                                      daemon=True)
            process.start()
            theirs.close()
            processes.append(process)
            connections.append(ours)
        deadline = time.monotonic() + TIMEOUT
        layouts: list[Layout] = [receive(connection, deadline) for connection in connections]
        total, offset = sum(layout.pages for layout in layouts), 0
        for connection, layout in zip(connections, layouts):
            connection.send((offset, total))
            offset += layout.pages
        deadline = time.monotonic() + TIMEOUT
        pdfs: list[bytes] = [receive(connection, deadline) for connection in connections]
        done = True
    finally:
        for connection in connections:
            connection.close()
        stop(processes, done=done)
    return join(pdfs, layouts)
