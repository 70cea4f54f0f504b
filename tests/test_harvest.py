"""Harvest tools: votes, hide until reveal, moderation, pre-moderation, themes, host links and handover."""
import pytest

from cafe import operations
from cafe.db import db
from cafe.errors import Conflict
from cafe.export import render
from cafe.models import NoteState
from cafe.payloads import event_themes
from helpers import received

DEVICE = "device-aaaaaaaa"


@pytest.fixture
def notes(live_event):
    """Three notes at table 1 and one at table 2, in round 1."""
    made = []
    for i, (table, text) in enumerate([(0, "Protected time for training"), (0, "Training needs time"),
                                       (0, "Mentoring schemes"), (1, "Shared GPU pool")]):
        note, _ = operations.post_note(live_event.tables[table], heading="Blockers", text=text, client_id=f"harvest-{i:05d}")
        made.append(note)
    return made


def vote_url(event, note):
    return f"/api/v1/events/{event.code}/notes/{note.seq}/vote"


def test_vote_limit_take_back_and_double_votes(client, live_event, notes):
    body = {"table": 1, "device": DEVICE}
    assert client.post(vote_url(live_event, notes[0]), json=body).json == {"votes": 1, "seq": 1, "votes_left": 2}
    assert client.post(vote_url(live_event, notes[0]), json=body).json["votes"] == 1  # the same device again
    other_table = client.post(vote_url(live_event, notes[3]), json=body)
    assert other_table.status_code == 409 and "your own table" in other_table.json["error"]["message"]
    client.post(vote_url(live_event, notes[1]), json=body)
    client.post(vote_url(live_event, notes[2]), json=body)
    fourth = client.post(vote_url(live_event, notes[2]), json={**body, "device": "device-bbbbbbbb"})
    assert fourth.json["votes"] == 2  # another device still has its own votes
    back = client.delete(vote_url(live_event, notes[0]), json=body)
    assert back.json == {"votes": 0, "seq": 1, "votes_left": 1}


def test_fourth_vote_is_refused_with_the_limit(client, live_event, notes, create_event):
    operations.update_harvest_settings(live_event, vote_limit=2, event_wide_voting=True, premoderation=False, flag_words="")
    body = {"device": DEVICE, "table": 1}
    client.post(vote_url(live_event, notes[0]), json=body)
    client.post(vote_url(live_event, notes[3]), json=body)  # another table's note: event-wide voting is open
    response = client.post(vote_url(live_event, notes[1]), json=body)
    assert response.status_code == 409 and "used your 2 votes" in response.json["error"]["message"]
    operations.update_harvest_settings(live_event, vote_limit=0, event_wide_voting=False, premoderation=False, flag_words="")
    assert client.post(vote_url(live_event, notes[2]), json=body).json["error"]["code"] == "voting_off"


def test_votes_reach_boards_live(live_event, notes, sio):
    board = sio(live_event, "board")
    operations.cast_vote(notes[0], DEVICE, live_event.tables[0])
    [update] = received(board, "note.updated")
    assert update["seq"] == 1 and update["votes"] == 1 and "1 vote<" in update["html"]


def test_hide_until_reveal(client, live_event, sio):
    operations.set_round_hidden(live_event, True)
    board = sio(live_event, "board")
    phone = sio(live_event, "table", table=live_event.tables[0].token)
    note, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="Secret idea", client_id="hidden-00001")
    assert received(board, "note.created") == [] and received(phone, "note.created") == []
    assert client.get(f"/api/v1/events/{live_event.code}/notes").json["notes"] == []
    assert "Secret idea" not in client.get(f"/board/{live_event.code}").text
    operations.reveal_all(live_event)
    assert received(board, "notes.revealed") == [{"round": None}]
    assert [n["text"] for n in client.get(f"/api/v1/events/{live_event.code}/notes").json["notes"]] == ["Secret idea"]


def test_hidden_notes_stay_visible_on_the_console_marked_hidden(client, login, live_event, notes):
    operations.set_note_state(notes[0], NoteState.HIDDEN)
    assert client.get(f"/api/v1/events/{live_event.code}/notes").json["notes"][0]["seq"] == 2
    page = login().get(f"/console/{live_event.code}").text
    assert "Protected time for training" in page and "state-hidden" in page
    operations.set_note_state(notes[0], NoteState.VISIBLE)
    assert client.get(f"/api/v1/events/{live_event.code}/notes").json["notes"][0]["seq"] == 1


def test_edit_keeps_the_original_and_refuses_stale_edits(notes):
    note = notes[0]
    operations.edit_note(note, "Protected time for training!", 1)
    assert note.original_text == "Protected time for training" and note.version == 2
    with pytest.raises(Conflict, match="changed this note meanwhile"):
        operations.edit_note(note, "Another fix", 1)
    assert note.text == "Protected time for training!"


def test_merge_adds_votes_and_links_parts(notes, live_event):
    operations.cast_vote(notes[0], DEVICE, live_event.tables[0])
    operations.cast_vote(notes[1], DEVICE, live_event.tables[0])
    operations.cast_vote(notes[1], "device-cccccccc", live_event.tables[0])
    operations.merge_notes(notes[0], [notes[1]])
    assert notes[0].votes == 3 and notes[1].state is NoteState.MERGED and notes[1].merged_into is notes[0]


def test_a_note_already_merged_cannot_take_more_notes(notes, live_event):
    operations.merge_notes(notes[0], [notes[1]])
    with pytest.raises(Conflict, match=f"Note {notes[1].seq} is itself merged into note {notes[0].seq}"):
        operations.merge_notes(notes[1], [notes[2]])
    db.session.rollback()
    assert notes[2].state is NoteState.VISIBLE and notes[2].merged_into is None


def test_a_line_break_counts_as_one_character_from_a_form_too(client, live_event):
    text = "a" * 100 + "\r\n" + "b" * 100 + "\r\n" + "c" * 78  # 280 characters as the text box counts them
    note, created = operations.post_note(live_event.tables[0], heading="Ideas", text=text, client_id="breaks-0001")
    assert created and note.text == text.replace("\r\n", "\n") and len(note.text) == 280
    edited = operations.edit_note(note, note.text.replace("a", "A", 1).replace("\n", "\r\n"), note.version)
    assert edited.text.startswith("Aaa") and "\r" not in edited.text


def test_pre_moderation_holds_flagged_notes_for_review(client, live_event, sio):
    operations.update_harvest_settings(live_event, vote_limit=3, event_wide_voting=False, premoderation=True,
                                       flag_words="rubbish")
    board = sio(live_event, "board")
    note, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="This is RUBBISH", client_id="review-00001")
    assert note.state is NoteState.REVIEW and received(board, "note.created") == []
    clean, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="A fine idea", client_id="review-00002")
    assert clean.state is NoteState.VISIBLE
    operations.set_note_state(note, NoteState.VISIBLE)
    assert [n["text"] for n in received(board, "note.created")] == ["A fine idea", "This is RUBBISH"]


def test_attendees_cannot_moderate_or_reveal(client, live_event, notes):
    code = live_event.code
    for url in (f"/console/{code}/notes/1/hide", f"/console/{code}/merge", f"/console/{code}/reveal",
                f"/console/{code}/themes"):
        assert client.post(url, data={"notes": ["1", "2"], "name": "x"}).status_code in (302, 401)
    assert notes[0].state is NoteState.VISIBLE


def test_host_link_reaches_only_its_own_table(client, live_event, notes):
    host = live_event.tables[0].host_token
    page = client.get(f"/h/{host}").text
    assert "Protected time for training" in page and "Shared GPU pool" not in page
    client.post(f"/h/{host}/notes/1/hide")
    assert notes[0].state is NoteState.HIDDEN
    assert client.post(f"/h/{host}/notes/4/hide").status_code == 403
    assert notes[3].state is NoteState.VISIBLE
    assert client.get("/h/not-a-host-token").status_code == 404


def test_console_moderation_forms(login, live_event, notes):
    browser = login()
    base = f"/console/{live_event.code}"
    browser.post(f"{base}/notes/1/pin")
    browser.post(f"{base}/notes/2/edit", data={"text": "Training needs protected time", "version": "1"})
    browser.post(f"{base}/merge", data={"notes": ["1", "3"]})
    stale = browser.post(f"{base}/notes/2/edit", data={"text": "Late edit", "version": "1"}, follow_redirects=True)
    assert "changed this note meanwhile" in stale.text
    assert notes[0].pinned and notes[1].text == "Training needs protected time" and notes[2].merged_into is notes[0]


def test_themes_made_on_the_console_flow_into_exports(login, live_event, notes):
    browser = login()
    base = f"/console/{live_event.code}/themes"
    browser.post(base, data={"name": "Time for training", "notes": ["1", "2"]})
    [theme] = event_themes(live_event)
    browser.post(f"{base}/assign", data={"theme": str(theme.id), "notes": ["3"]})
    browser.post(f"{base}/{theme.id}/rename", data={"name": "Time and mentoring"})
    assert [n.seq for n in theme.notes] == [1, 2, 3] and theme.name == "Time and mentoring"
    blog = render("blog.md", live_event).decode()
    assert "Time and mentoring" in blog
    suggest = browser.get(f"{base}/suggest").text
    assert "Suggested themes" in suggest


def test_handover_shows_earlier_rounds_top_notes(client, live_event, notes):
    operations.cast_vote(notes[2], DEVICE, live_event.tables[0])
    operations.control_round(live_event, "next")
    page = client.get(f"/t/{live_event.tables[0].token}").text
    assert "Said here in earlier rounds" in page
    assert page.index("Mentoring schemes") < page.index("Protected time for training")
    assert "Said here in earlier rounds" in client.get(f"/board/{live_event.code}/tables/1").text


def test_word_cloud_counts_words_without_stop_words(client, live_event, notes):
    page = client.get(f"/board/{live_event.code}/words").text
    assert ">training<" in page.lower() and ">the<" not in page.lower()
    fragment = client.get(f"/board/{live_event.code}/words?table=2&fragment=1").text
    assert "data-cloud" in fragment and "gpu" in fragment.lower() and "training" not in fragment.lower()


def test_a_theme_for_one_table_and_heading(login, live_event, notes):
    browser = login()
    base = f"/console/{live_event.code}/themes"
    response = browser.post(base, data={"name": "Time", "table": "1", "heading": "Blockers", "notes": ["1"]},
                            follow_redirects=True)
    assert "Made the theme" in response.text
    [theme] = event_themes(live_event)
    assert (theme.table.number, theme.heading.title) == (1, "Blockers")
    wrong = browser.post(base, data={"name": "X", "table": "1", "heading": "Gossip"}, follow_redirects=True)
    assert "has no heading" in wrong.text
