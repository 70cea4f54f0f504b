"""A corpus of hostile inputs, posted through the API and the phone page: stored as typed or refused clearly,
and inert on every page and in every export. On SQLite and PostgreSQL."""
import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from cafe.db import db
from cafe.export import RENDERERS, render
from cafe.models import Note

CORPUS = json.loads((Path(__file__).parent / "data" / "hostile.json").read_text(encoding="utf-8"))
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def scripts_and_handlers(html: str) -> tuple[list[dict], list[str]]:
    """The page's script tags and any on* event attributes."""
    parser = Tags()
    parser.feed(html)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    handlers = [name for _, attrs in parser.tags for name in attrs if name.startswith("on")]
    return scripts, handlers


@pytest.fixture
def posted(client, live_event):
    """Every corpus entry posted through the API (even ones) or the phone form (odd ones)."""
    outcomes = []
    for i, text in enumerate(CORPUS):
        body = {"heading": "Blockers", "text": text, "client_id": f"hostile-{i:05d}", "author": "<i>Eve</i>"}
        if i % 2:
            response = client.post(f"/t/{live_event.tables[0].token}/notes", data=body)
            ok = response.status_code == 302
        else:
            response = client.post(f"/api/v1/events/{live_event.code}/tables/1/notes", json=body)
            ok = response.status_code == 201
            if not ok:
                assert response.status_code == 422 and response.json["error"]["message"]
        outcomes.append((text, ok))
    return outcomes


def test_the_corpus_has_at_least_100_entries(database):
    assert len(CORPUS) >= 100


def test_each_input_is_stored_exactly_as_typed_or_refused(posted):
    stored = {n.client_id: n.text for n in db.session.scalars(db.select(Note))}
    for i, (text, ok) in enumerate(posted):
        if ok:
            assert stored[f"hostile-{i:05d}"] == text.strip()
        else:
            assert f"hostile-{i:05d}" not in stored
            assert not text.strip() or len(text.strip()) > 280 or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    assert sum(ok for _, ok in posted) >= 100


def test_pages_show_the_text_inert(client, login, live_event, posted):
    pages = [client.get(f"/board/{live_event.code}").text, client.get(f"/board/{live_event.code}/tables/1").text,
             client.get(f"/t/{live_event.tables[0].token}").text, login().get(f"/console/{live_event.code}").text,
             client.get(f"/board/{live_event.code}/words").text]
    for html in pages:
        scripts, handlers = scripts_and_handlers(html)
        assert all(s.get("src", "").startswith(("/vendor/", "/static/")) for s in scripts), scripts
        assert handlers == []
    markup = [t.strip() for t, ok in posted if ok and "<" in t and ">" in t]
    for html in pages:
        assert not [t for t in markup if t in html]  # no note's markup reaches a page as markup
    assert any(str(escape(t)) in pages[3] for t in markup)  # the console shows it, as text


def test_every_export_renders_and_keeps_the_text(live_event, posted):
    for name in RENDERERS:
        assert render(name, live_event)
    data = json.loads(render("event.json", live_event))
    texts = {n["text"] for n in data["notes"]}
    assert {t.strip() for t, ok in posted if ok} <= texts
    rows = list(csv.DictReader(io.StringIO(render("notes.csv", live_event).decode("utf-8-sig"))))
    for row in rows:
        assert not row["note"].startswith(("=", "+", "-", "@", "\t", "\r"))
