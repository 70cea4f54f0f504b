"""What a note's statements cost through SQLAlchemy Core, as cafe runs them, and on the bare sqlite3 driver.

The same five statements on the same SQLite file: find the table and its headings, read the
rounds, number the note, insert it, commit. One way runs them as `post_note_at` does, on a
connection of the engine's pool; the other on a sqlite3 connection of its own, with the SQL
that SQLAlchemy compiles for the same statements. Batches alternate, warm (back to back) and
cold (other work between them, as bench/note_path.py does), and it prints the medians. It
measures an option for the busiest path; the app itself only runs the first way.

    .venv/bin/python bench/note_statements.py
"""
from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_load import ROOT, cafe_environment, prepare_cafe  # noqa: E402
from note_path import print_figures, side_by_side  # noqa: E402

INSERT = ("INSERT INTO notes (event_id, table_id, seq, client_id, round_id, heading_id, text, author, late, state, "
          "created_at, votes, pinned, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 1)")


def through_sqlalchemy(code: str) -> Callable[[int], None]:
    """Post the statements of one note at table i as cafe does."""
    from cafe.db import db
    from cafe.models import NoteState
    from cafe.operations import notes

    def post(i: int) -> None:
        with db.engine.connect() as connection:
            desk = notes._find_desk(connection, code, 1 + i % 200)
            rounds = connection.execute(notes.ROUNDS, {"event_id": desk.event_id}).all()
            seq = connection.execute(notes.NEXT_SEQ, {"event_id": desk.event_id}).scalar_one()
            connection.execute(notes.INSERT_NOTE, {
                "event_id": desk.event_id, "table_id": desk.table_id, "seq": seq, "client_id": secrets.token_hex(8),
                "round_id": rounds[0].id, "heading_id": next(iter(desk.headings.values())), "text": "A note",
                "author": "", "late": False, "state": NoteState.VISIBLE, "created_at": datetime.now(timezone.utc)})
            connection.commit()
    return post


def on_the_driver(code: str, path: str) -> Callable[[int], None]:
    """Post the same statements on a bare sqlite3 connection, with the SQL SQLAlchemy compiles for them."""
    from cafe.db import db
    from cafe.operations import notes

    desk_sql, rounds_sql, seq_sql = (str(s.compile(dialect=db.engine.dialect))
                                     for s in (notes.DESK, notes.ROUNDS, notes.NEXT_SEQ))
    raw = sqlite3.connect(path, isolation_level=None)
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"):
        raw.execute(pragma)

    def post(i: int) -> None:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        desk = cursor.execute(desk_sql, (code, 1 + i % 200)).fetchall()
        event_id, table_id, heading_id = desk[0][0], desk[0][6], desk[0][8]
        first_round = cursor.execute(rounds_sql, (event_id,)).fetchall()[0][0]
        seq = cursor.execute(seq_sql, (1, event_id)).fetchone()[0]
        cursor.execute(INSERT, (event_id, table_id, seq, secrets.token_hex(8), first_round, heading_id, "A note", "",
                                0, "visible", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")))
        cursor.execute("COMMIT")
        cursor.close()
    return post


def main() -> None:
    """Measure both ways, warm and cold, alternating, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=400, help="notes in each batch")
    parser.add_argument("--batches", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="note-statements-") as tmp:
        folder = Path(tmp)
        layout, port = prepare_cafe(folder, ROOT, None, 200)
        os.environ.update(cafe_environment(folder, port, None))
        sys.path.insert(0, str(ROOT))
        from cafe import create_app  # noqa: PLC0415 - after the settings are in the environment

        app = create_app()
        with app.app_context():
            ways = {"SQLAlchemy Core": through_sqlalchemy(layout["code"]),
                    "bare sqlite3": on_the_driver(layout["code"], str(folder / "cafe.sqlite3"))}
            figures = side_by_side(ways, args.notes, args.batches, 100_000)
    print(f"a note's five statements on SQLite, {args.batches} batches of {args.notes} each way:")
    print_figures(figures, "note")


if __name__ == "__main__":
    main()
