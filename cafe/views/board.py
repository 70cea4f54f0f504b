"""Projector face: the event board with every table, one table's board, and a kiosk that cycles."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request

from cafe import operations
from cafe.auth import get_event
from cafe.payloads import (screen_context, clock_payload, event_notes, handover_notes, public_counts, round_by_index, status_of,
                           table_notes)

bp = Blueprint("board", __name__, url_prefix="/board")
TILE_NOTES = 12  # the recent notes a tile takes turns to show; older ones are on the table's own board
TABLE_NOTES = 40
MOST_TILES = 12  # tables on one screen; a bigger café's board shows them a screenful at a time

# Columns for the tiles of one screen, chosen so that each tile has the most room for whole notes beside the
# clock on a 16:9 screen (more than twelve tables page through screenfuls of these).
COLUMNS = {1: 1, 2: 2, 3: 3, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 3, 10: 4, 11: 4, 12: 4}
# Larger type where fewer tables share the screen; from seven tables on, the board's base size (24 px at 1080 high).
TYPE = {1: "type-large", 2: "type-large", 3: "type-large", 4: "type-medium", 5: "type-medium", 6: "type-medium"}


@dataclass(frozen=True)
class Layout:
    """How a board lays out its tables: screenfuls (pages) of tiles, their columns and type size."""

    pages: int
    per_page: int
    columns: int
    type: str

    def page_of(self, position: int) -> int:
        """The screenful (from 1) that shows the table at this position (from 0)."""
        return position // self.per_page + 1


def board_layout(tables: int) -> Layout:
    """The layout for a board of this many tables: up to twelve on one screen, more in balanced screenfuls."""
    pages = max(1, -(-tables // MOST_TILES))
    per_page = max(1, -(-tables // pages))
    return Layout(pages, per_page, COLUMNS[per_page], TYPE.get(per_page, ""))


def turn_seconds() -> int | None:
    """How long a tile shows one set of notes before the next, from ?turn= (3 to 60 s; None for the default)."""
    turn = request.args.get("turn", type=int)
    return min(60, max(3, turn)) if turn else None


@bp.get("/<code>")
def event(code: str):
    """Every table as a tile with its newest notes under their headings, the countdown and how to join."""
    event = get_event(code)
    status = status_of(event)
    notes = {t.id: table_notes(t, TILE_NOTES) for t in event.tables}
    kiosk = request.args.get("kiosk", type=int)
    return render_template("board/event.html", event=event, clock=clock_payload(event), notes=notes,
                           counts=public_counts(event), layout=board_layout(len(event.tables)),
                           current=round_by_index(event, status.round_index), turn=turn_seconds(), hold=TILE_NOTES,
                           kiosk=kiosk if kiosk and kiosk >= 5 else None,
                           next_index=status.next_index, arrivals=operations.arrivals(event, status.next_index),
                           **screen_context(event))


@bp.get("/<code>/counts")
def counts(code: str):
    """Each table's count of public notes, by table number, for a board to set its tiles after older notes changed."""
    event = get_event(code)
    by_id = public_counts(event)
    return jsonify({str(t.number): by_id.get(t.id, 0) for t in event.tables})


@bp.get("/<code>/arrivals")
def arrivals(code: str):
    """Who goes to which table in the coming round, for the "move now" screen (refreshed live)."""
    event = get_event(code)
    index = status_of(event).next_index
    return render_template("_partials/arrivals.html", next_index=index, arrivals=operations.arrivals(event, index))


@bp.get("/<code>/tables/<int:number>")
def table(code: str, number: int):
    """One table's notes in large type."""
    event = get_event(code)
    table = event.table_by_number(number) or abort(404, f"There is no table {number}.")
    current = round_by_index(event, status_of(event).round_index)
    kiosk = request.args.get("kiosk", type=int)
    return render_template("board/table.html", event=event, table=table, clock=clock_payload(event),
                           notes={table.id: table_notes(table, TABLE_NOTES)}, counts=public_counts(event),
                           current=current, handover=handover_notes(table, current), turn=turn_seconds(),
                           hold=TABLE_NOTES, kiosk=kiosk if kiosk and kiosk >= 5 else None)


def _cloud(event, number: int | None) -> list[tuple[str, int, int]]:
    """The cloud's words with their counts and a size step from 1 to 8."""
    from cafe.themes import word_counts

    table = event.table_by_number(number) if number else None
    counts = word_counts([n.text for n in event_notes(event, table=table, limit=20_000)], limit=80)
    top = counts[0][1] if counts else 1
    return [(word, count, 1 + round(7 * count / top)) for word, count in sorted(counts, key=lambda wc: wc[0].casefold())]


@bp.get("/<code>/words")
def words(code: str):
    """A word cloud of the event's (or, with ?table=N, one table's) notes, stop words removed; live."""
    event = get_event(code)
    number = request.args.get("table", type=int)
    if number and event.table_by_number(number) is None:
        abort(404, f"There is no table {number}.")
    cloud = _cloud(event, number)
    if request.args.get("fragment"):
        return render_template("board/_cloud.html", cloud=cloud)
    return render_template("board/words.html", event=event, clock=clock_payload(event), cloud=cloud,
                           table=event.table_by_number(number) if number else None)
