"""The rotation plan as exports: printable itinerary cards and a CSV of who sits where."""
from __future__ import annotations

import csv
import io

from cafe.export.pdf import PDF, qr_code, render_pdf
from cafe.export.registry import register
from cafe.export.snapshot import Snapshot
from cafe.export.text import csv_guard

CARDS_PER_PAGE = 4


def plan_csv(names: list[str], rows: list[list[int | None]] | list[tuple[int | None, ...]], rounds: int) -> str:
    """The plan as CSV text: name, then the table of each round (empty where not seated)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", *[f"round {r}" for r in range(1, rounds + 1)]])
    for name, row in zip(names, rows):
        writer.writerow([csv_guard(name), *["" if t is None else t for t in row]])
    return out.getvalue()


@register("plan.csv", "text/csv; charset=utf-8", "Rotation plan as CSV")
def render_plan_csv(snapshot: Snapshot) -> bytes:
    """One row per participant: name, then the table number of each round."""
    people = [p for p in snapshot.people if any(t is not None for t in p.tables)]
    # With a byte order mark, as notes.csv: a spreadsheet opened by double-click then reads the names as UTF-8.
    return plan_csv([p.name for p in people], [p.tables for p in people], len(snapshot.rounds)).encode("utf-8-sig")


@register("itineraries.pdf", PDF, "Itinerary cards")
def render_itineraries(snapshot: Snapshot) -> bytes:
    """One card per person (four to an A4 page): their table in each round and a QR code to their own page."""
    themes = {t.number: t.theme for t in snapshot.tables}
    cards = [(person, qr_code(person.url),
              [(r.index, t, themes.get(t) if t is not None else None) for r, t in zip(snapshot.rounds, person.tables)])
             for person in snapshot.people if any(t is not None for t in person.tables)]
    pages = [cards[i:i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    return render_pdf("itineraries.html", snapshot=snapshot, event=snapshot.event, pages=pages)
