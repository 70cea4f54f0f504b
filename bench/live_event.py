"""Make the event that bench/live_load.py measures, in the database the CAFE_* settings name.

Creates an organiser account, an event with many tables (three headings each) and one
long round, and an API token, through the app's own operations (as `flask cafe demo`
does), then prints the event as JSON: its code, the token and each table's number,
link token and headings. bench/live_load.py runs it after `flask --app wsgi db upgrade`, from
the root of the checkout whose app it serves (that checkout's `cafe` is the one imported):

    CAFE_DATABASE_URL=... .venv/bin/python bench/live_event.py --tables 200
"""
from __future__ import annotations

import argparse
import json
import secrets
import os
import sys
from typing import Any

import yaml

sys.path.insert(0, os.getcwd())

HEADINGS = ("Blockers", "Ideas", "Quick wins")


def setup_yaml(tables: int) -> bytes:
    """The setup file of a large café: `tables` tables and one round of four hours."""
    setup = {
        "cafe_setup": 1,
        "event": {"name": f"Live load benchmark {secrets.token_hex(3)}", "venue": "Benchmark hall"},
        "tables": [{"number": n, "theme": f"Theme {n}", "host": f"Host {n}", "question": f"Question of table {n}?",
                    "capacity": 100, "headings": list(HEADINGS)} for n in range(1, tables + 1)],
        "rounds": [{"minutes": 240, "question": None, "buffer_seconds": 60}],
    }
    return yaml.safe_dump(setup, sort_keys=False).encode()


def make_event(tables: int) -> dict[str, Any]:
    """Create the organiser, the event and a token; return what the load generators need."""
    from cafe import create_app, operations

    app = create_app()
    with app.app_context():
        user = operations.create_user(f"bench-{secrets.token_hex(4)}@example.org", secrets.token_urlsafe(16), "Bench")
        event = operations.import_setup(user, setup_yaml(tables))
        token = operations.create_api_token(user, "live load benchmark")
        return {"code": event.code, "token": token,
                "tables": [{"number": t.number, "token": t.token, "headings": t.heading_titles} for t in event.tables]}


def main() -> None:
    """Parse the options, make the event and print it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=200, help="number of tables (the app allows up to 200)")
    args = parser.parse_args()
    print(json.dumps(make_event(args.tables)))


if __name__ == "__main__":
    main()
