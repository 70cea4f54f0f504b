"""Prepared export files: CAFE_EXPORT_DIR/<code>/<name>, written whole, dated when their render read the database.

Of two renders of one export that overlap (two workers), the later read wins whichever finishes last;
the files of a deleted event are deleted with it.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import current_app

from cafe.export.registry import renderer


def prepared_path(code: str, name: str) -> Path:
    """Where the prepared file of an export lives: CAFE_EXPORT_DIR/<code>/<name>."""
    renderer(name)
    return Path(current_app.config["CAFE_EXPORT_DIR"]) / code / name


def write_whole(path: Path, data: bytes, as_of: float) -> bool:
    """Write a prepared file whole or not at all (a temporary file beside it, then a rename over it), dated `as_of`,
    when its render read the database; a file there already that was read later is kept. Returns whether written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.utime(temporary, (as_of, as_of))
        with _folder_lock(path.parent):
            if path.exists() and path.stat().st_mtime > as_of:
                Path(temporary).unlink()
                return False
            os.replace(temporary, path)
            return True
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of an event's export folder: workers on this machine compare and replace files one at a time."""
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def discard_prepared(code: str) -> None:
    """Delete the prepared files of an event (it was deleted): what was said there must not outlive it."""
    folder = Path(current_app.config["CAFE_EXPORT_DIR"]) / code
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError:
        current_app.logger.exception("could not delete the prepared exports in %s", folder)
