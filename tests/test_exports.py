"""Exports wired to the app: the snapshot from the database, the CLI, the organiser download and the API."""
import json

import pytest

from cafe import operations
from cafe.db import db
from cafe.export import RENDERERS, snapshot
from cafe.models import NoteState

NAMES = ["cards.pdf", "poster.pdf", "summary.pdf", "themes.xlsx", "blog.md", "notes.csv", "event.json",
         "itineraries.pdf", "plan.csv", "polls.csv", "questions.csv"]


@pytest.fixture
def harvested(live_event):
    """An event with notes at two tables, one of them hidden."""
    for i, (table, text) in enumerate([(0, "Protected time for training"), (1, "A shared GPU pool"), (1, "Secret")]):
        note, _ = operations.post_note(live_event.tables[table], heading="Blockers", text=text, client_id=f"export-{i:06d}")
    note.state = NoteState.HIDDEN
    db.session.commit()
    return live_event


def test_registry_has_every_export():
    assert sorted(RENDERERS) == sorted(NAMES)


def test_snapshot_reads_the_event_once(harvested):
    data = snapshot(harvested)
    assert data.event.code == harvested.code and data.event.join_url == f"http://cafe.test/e/{harvested.code}"
    assert [t.url for t in data.tables] == [f"http://cafe.test/t/{t.token}" for t in harvested.tables]
    assert [n.text for n in data.visible_notes] == ["Protected time for training", "A shared GPU pool"]
    assert data.figures.notes == 2 and data.figures.hidden == 1 and data.figures.notes_per_table == {1: 1, 2: 1, 3: 0}
    assert data.figures.participants == 6 and data.figures.notes_per_round == {1: 2, 2: 0}


def test_notes_held_back_and_people_who_stayed_away_are_not_published(harvested):
    operations.set_round_hidden(harvested, True)  # the round under way: its notes wait for the reveal
    operations.post_note(harvested.tables[2], heading="Ideas", text="Held until the reveal", client_id="export-held")
    operations.mark_absent(harvested.participants[0], True)
    data = snapshot(harvested)
    assert data.notes == () and data.figures.notes == 0 and data.figures.participants == 5  # the whole round waits
    operations.set_round_hidden(harvested, False)
    assert [n.text for n in snapshot(harvested).visible_notes] == [
        "Protected time for training", "A shared GPU pool", "Held until the reveal"]


def test_cli_writes_exports_with_progress(runner, harvested, tmp_path):
    result = runner.invoke(args=["cafe", "export", harvested.code, "blog.md", "event.json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "[1/2] blog.md: rendering ... written" in result.output and "[2/2] event.json" in result.output
    data = json.loads((tmp_path / f"{harvested.code}-event.json").read_text())
    assert "A shared GPU pool" in json.dumps(data) and "Secret" not in json.dumps(data)
    assert "Protected time for training" in (tmp_path / f"{harvested.code}-blog.md").read_text()


def test_cli_refuses_unknown_names_and_events(runner, harvested):
    assert "no export called 'slides.ppt'" in runner.invoke(args=["cafe", "export", harvested.code, "slides.ppt"]).output
    assert "no event with the code" in runner.invoke(args=["cafe", "export", "ZZZZZZ"]).output


def test_cli_writes_everything_to_the_export_folder_by_default(runner, harvested, app):
    result = runner.invoke(args=["cafe", "export", harvested.code])
    assert result.exit_code == 0, result.output
    from pathlib import Path
    written = sorted(p.name for p in Path(app.config["CAFE_EXPORT_DIR"]).iterdir())
    assert written == sorted(f"{harvested.code}-{name}" for name in NAMES)


def test_organiser_downloads_an_export_rendered_in_a_child_process(login, harvested):
    browser = login()
    page = browser.get(f"/organiser/events/{harvested.code}").text
    assert all(f"/exports/{name}" in page for name in NAMES)
    response = browser.get(f"/organiser/events/{harvested.code}/exports/notes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{harvested.code}-notes.csv"'
    assert "A shared GPU pool" in response.data.decode("utf-8-sig")


def test_api_export_needs_a_facilitator_token(client, harvested, user):
    url = f"/api/v1/events/{harvested.code}/exports/event.json"
    assert client.get(url).status_code == 401
    token = operations.create_api_token(user)
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["event"]["code"] == harvested.code
    missing = client.get(url.replace("event.json", "nope.txt"), headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404 and "the exports are" in missing.json["error"]["message"]
