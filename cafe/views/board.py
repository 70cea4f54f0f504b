"""Projector face: the event board with every table, one table's board, and a kiosk that cycles."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from cafe import operations
from cafe.auth import get_event
from cafe.payloads import (clock_payload, event_notes, handover_notes, public_counts, round_by_index, status_of,
                           table_notes)

bp = Blueprint("board", __name__, url_prefix="/board")
TILE_NOTES = 12
MOST_COLUMNS = 6


def tile_columns(tables: int) -> int:
    """Columns of the board's tiles so that every table fits on one screen: one row up to three tables, two up to
    twelve, then as many rows as it takes at six columns (a bigger café cycles tables with ?kiosk=)."""
    rows = 1 if tables <= 3 else 2 if tables <= 12 else -(-tables // MOST_COLUMNS)
    return max(1, min(MOST_COLUMNS, -(-tables // rows)))


@bp.get("/<code>")
def event(code: str):
    """Every table as a tile with its newest notes under their headings, the countdown and how to join."""
    event = get_event(code)
    current = round_by_index(event, status_of(event).round_index)
    notes = {t.id: table_notes(t, TILE_NOTES) for t in event.tables}
    kiosk = request.args.get("kiosk", type=int)
    status = status_of(event)
    return render_template("board/event.html", event=event, clock=clock_payload(event), notes=notes,
                           counts=public_counts(event), columns=tile_columns(len(event.tables)), current=current,
                           kiosk=kiosk if kiosk and kiosk >= 5 else None,
                           next_index=status.next_index, arrivals=operations.arrivals(event, status.next_index))


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
                           notes=table_notes(table, 60), current=current, handover=handover_notes(table, current),
                           kiosk=kiosk if kiosk and kiosk >= 5 else None)


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
