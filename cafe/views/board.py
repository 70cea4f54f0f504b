"""Projector face: the event board with every table, one table's board, and a kiosk that cycles."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from cafe import operations
from cafe.auth import get_event
from cafe.payloads import clock_payload, round_by_index, status_of, table_notes

bp = Blueprint("board", __name__, url_prefix="/board")
TILE_NOTES = 12


@bp.get("/<code>")
def event(code: str):
    """Every table as a tile with its newest notes under their headings, the countdown and how to join."""
    event = get_event(code, check_owner=False)
    current = round_by_index(event, status_of(event).round_index)
    notes = {t.id: table_notes(t, TILE_NOTES) for t in event.tables}
    kiosk = request.args.get("kiosk", type=int)
    status = status_of(event)
    return render_template("board/event.html", event=event, clock=clock_payload(event), notes=notes,
                           current=current, kiosk=kiosk if kiosk and kiosk >= 5 else None,
                           next_index=status.next_index, arrivals=operations.arrivals(event, status.next_index))


@bp.get("/<code>/arrivals")
def arrivals(code: str):
    """Who goes to which table in the coming round, for the "move now" screen (refreshed live)."""
    event = get_event(code, check_owner=False)
    index = status_of(event).next_index
    return render_template("_partials/arrivals.html", next_index=index, arrivals=operations.arrivals(event, index))


@bp.get("/<code>/tables/<int:number>")
def table(code: str, number: int):
    """One table's notes in large type."""
    event = get_event(code, check_owner=False)
    table = event.table_by_number(number) or abort(404, f"There is no table {number}.")
    current = round_by_index(event, status_of(event).round_index)
    kiosk = request.args.get("kiosk", type=int)
    return render_template("board/table.html", event=event, table=table, clock=clock_payload(event),
                           notes=table_notes(table, 60), current=current,
                           kiosk=kiosk if kiosk and kiosk >= 5 else None)
