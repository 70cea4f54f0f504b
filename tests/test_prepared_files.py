"""Prepared export files: the later read of the database wins, and a deleted event takes its files with it."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from cafe import operations
from cafe.export.files import prepared_path, write_whole
from cafe.export.jobs import ExportFailed, make_export, prepared
from cafe.live import console_room


def test_a_file_read_later_is_kept_when_an_earlier_read_finishes_last(tmp_path: Path):
    path = tmp_path / "ABCDEF" / "blog.md"
    assert write_whole(path, b"read at 200", as_of=200.0)
    assert not write_whole(path, b"read at 100", as_of=100.0)
    assert path.read_bytes() == b"read at 200" and path.stat().st_mtime == 200.0
    assert write_whole(path, b"read at 300", as_of=300.0)
    assert path.read_bytes() == b"read at 300"
    assert sorted(p.name for p in path.parent.iterdir()) == [".lock", "blog.md"]  # no temporary file left


def test_of_two_overlapping_renders_the_console_gets_the_later_read(app, live_event):
    code, room = live_event.code, console_room(live_event)
    began: list[float] = []

    def slow_render(_name, _event) -> bytes:
        # While this render works, a second request for the same export starts, reads later and finishes first.
        began.append(time.time())
        make_export(code, "blog.md", room, lambda _n, _e: b"# read second, finished first")
        return b"# read first, finished last"

    announced = make_export(code, "blog.md", room, slow_render)
    path = prepared_path(code, "blog.md")
    assert path.read_bytes() == b"# read second, finished first"
    assert path.stat().st_mtime >= began[0]  # dated when the second render read the database
    assert announced == prepared(code, "blog.md") and announced["size"] == len(b"# read second, finished first")


def test_a_prepared_file_is_dated_when_its_render_read_the_database(app, live_event):
    before = time.time()
    make_export(live_event.code, "notes.csv", console_room(live_event), lambda _n, _e: time.sleep(1.2) or b"a,b\n")
    dated = prepared_path(live_event.code, "notes.csv").stat().st_mtime
    assert before <= dated < before + 1  # when it began reading, not when it was written


def test_deleting_an_event_deletes_its_prepared_files_and_no_others(app, live_event, create_event):
    other = create_event(name="Second café")
    for event in (live_event, other):
        make_export(event.code, "blog.md", console_room(event), lambda _n, e: f"# {e.name}".encode())
    gone = prepared_path(live_event.code, "blog.md")
    assert gone.exists()
    operations.delete_event(live_event)
    assert not gone.parent.exists()
    assert prepared_path(other.code, "blog.md").read_bytes() == b"# Second caf\xc3\xa9"


def test_an_event_deleted_while_its_export_renders_leaves_no_file(app, live_event):
    code = live_event.code

    def render_then_lose_the_event(_name, event) -> bytes:
        operations.delete_event(event)  # the organiser deletes the event meanwhile
        return b"# everything that was said"

    with pytest.raises(ExportFailed, match=f"The event {code} no longer exists, so blog.md was not made."):
        make_export(code, "blog.md", f"console:{live_event.id}", render_then_lose_the_event)
    assert not (Path(app.config["CAFE_EXPORT_DIR"]) / code / "blog.md").exists()
