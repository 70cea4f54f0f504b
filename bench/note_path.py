"""The CPU one note's post costs inside the app, with warm caches and with caches cooled by other work.

A live server posts a note every few dozen milliseconds among thousands of WebSocket sends, so each
post finds the processor's caches holding other work's code and data, and costs several times what
the same post costs in a tight loop. This script calls the app in-process, as the WSGI server does,
with the JSON POST a phone sends (no network, no screens connected), in batches that alternate
between back to back ("warm") and with other work between posts ("cold": walking a few megabytes of
objects and running unrelated code, timed apart and left out). It prints the median CPU per post of
each, side by side:

    .venv/bin/python bench/note_path.py                     # this checkout, a temporary SQLite file
    .venv/bin/python bench/note_path.py --app-root ../other-checkout   # another checkout's app, to compare
    .venv/bin/python bench/note_path.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch
"""
from __future__ import annotations

import argparse
import gc
import html
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from email.parser import Parser
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_load import ROOT, cafe_environment, prepare_cafe  # noqa: E402


def options() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500, help="posts in each batch")
    parser.add_argument("--batches", type=int, default=8, help="batches of each kind, alternating")
    parser.add_argument("--objects", type=int, default=100_000, help="objects walked between cold posts")
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app is measured")
    return parser.parse_args()


def requests(layout: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """WSGI environments of `count` notes posted as phones post them, spread over the tables."""
    from werkzeug.test import EnvironBuilder

    made = []
    for i in range(count):
        table = layout["tables"][i % len(layout["tables"])]
        body = {"heading": table["headings"][i % len(table["headings"])], "text": f"Note {i}: more time for mentoring",
                "client_id": f"bench-{secrets.token_hex(8)}", "round": 1}
        builder = EnvironBuilder(path=f"/api/v1/events/{layout['code']}/tables/{table['number']}/notes",
                                 method="POST", data=json.dumps(body), content_type="application/json",
                                 headers={"Cookie": f"cafe_device={secrets.token_hex(8)}"},
                                 environ_base={"REMOTE_ADDR": f"127.0.{i % 250}.1"})
        made.append(builder.get_environ())
    return made


class OtherWork:
    """What a busy server does between two posts, timed so that it can be left out."""

    def __init__(self, objects: int):
        self.objects = [{"id": i, "name": str(i), "seen": [i, i + 1]} for i in range(objects)]
        self.seconds = 0.0

    def __call__(self) -> None:
        started = time.process_time()
        total = sum(item["id"] for item in self.objects)
        for i in range(200):
            json.dumps({"n": i, "total": total, "text": "words " * 10})
            html.escape("<p class='x'>text</p>" * 5)
            Parser().parsestr("Host: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n")
        self.seconds += time.process_time() - started


def batch(work: Callable[[int], None], count: int, between: OtherWork | None) -> float:
    """Do `count` pieces of work (other work before each, when given); the CPU milliseconds per piece, other work
    left out."""
    if between:
        between.seconds = 0.0
    started = time.process_time()
    for i in range(count):
        if between:
            between()
        work(i)
    return (time.process_time() - started - (between.seconds if between else 0.0)) / count * 1000


def side_by_side(ways: dict[str, Callable[[int], None]], count: int, batches: int,
                 objects: int) -> dict[str, list[float]]:
    """Each way warm and cold in turn, batch after batch, after a warm-up of each; CPU ms per piece of each batch."""
    between = OtherWork(objects)
    gc.freeze()  # as wsgi.py does for the server
    gc.set_threshold(50_000, 50, 50)
    for work in ways.values():
        batch(work, count, None)  # warm-up: templates compiled, statements cached
    figures: dict[str, list[float]] = {}
    for _ in range(batches):
        for name, work in ways.items():
            figures.setdefault(f"{name}, warm", []).append(batch(work, count, None))
            figures.setdefault(f"{name}, cold", []).append(batch(work, count, between))
    return figures


def print_figures(figures: dict[str, list[float]], unit: str) -> None:
    """The median and range of each kind of batch."""
    for name, values in figures.items():
        print(f"  {name:<22} median {statistics.median(values):.3f} ms CPU per {unit} "
              f"(batches {min(values):.3f} to {max(values):.3f})")


def main() -> None:
    """Measure warm and cold posts, alternating, and print the medians."""
    args = options()
    root = args.app_root.resolve()
    with tempfile.TemporaryDirectory(prefix="note-path-") as folder:
        layout, port = prepare_cafe(Path(folder), root, args.database_url, args.tables)
        os.environ.update(cafe_environment(Path(folder), port, args.database_url))
        sys.path.insert(0, str(root))
        from cafe import create_app  # noqa: PLC0415 - the checkout named by --app-root

        app = create_app()
        start = app.test_client().post(f"/api/v1/events/{layout['code']}/rounds/current/start",
                                       headers={"Authorization": f"Bearer {layout['token']}"})
        if start.status_code != 200:
            raise SystemExit(f"could not start the round: {start.status_code} {start.get_data(as_text=True)}")
        environs = iter(requests(layout, args.posts * (2 * args.batches + 1)))

        def start_response(status: str, _headers: list[Any], _exc: Any = None) -> None:
            if not status.startswith("201"):
                raise RuntimeError(f"a post was answered {status}")

        figures = side_by_side({"post": lambda _i: b"".join(app(next(environs), start_response))},
                               args.posts, args.batches, args.objects)
    print(f"note path, {args.batches} batches of {args.posts} posts each way, database "
          f"{'postgresql' if (args.database_url or '').startswith('postgres') else 'sqlite'}, app {root.name}")
    print_figures(figures, "post")
    print(f"  cold / warm: {statistics.median(figures['post, cold']) / statistics.median(figures['post, warm']):.2f}")

if __name__ == "__main__":
    main()
