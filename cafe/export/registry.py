"""Pure: the registry of renderers, keyed by export file name; each turns a Snapshot into bytes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cafe.errors import NotFound
from cafe.export.snapshot import Snapshot


@dataclass(frozen=True)
class Renderer:
    """One export: its file name, media type, a line for people, and the function that makes it."""

    name: str
    mimetype: str
    title: str
    render: Callable[[Snapshot], bytes]


RENDERERS: dict[str, Renderer] = {}


def register(name: str, mimetype: str, title: str) -> Callable[[Callable[[Snapshot], bytes]], Callable[[Snapshot], bytes]]:
    """Add a renderer to the registry under its file name (e.g. "summary.pdf")."""
    def add(render: Callable[[Snapshot], bytes]) -> Callable[[Snapshot], bytes]:
        RENDERERS[name] = Renderer(name, mimetype, title, render)
        return render
    return add


def renderer(name: str) -> Renderer:
    """The renderer for an export file name, or NotFound listing the names there are."""
    if name not in RENDERERS:
        raise NotFound(f"There is no export called {name!r}; the exports are: {', '.join(RENDERERS)}.")
    return RENDERERS[name]
