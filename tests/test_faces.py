"""The faces through HTTP without JavaScript: join, the phone page and its form, the board, the console."""
import re

from cafe import operations
from cafe.db import db
from cafe.models import Note, NoteState


def count_notes():
    return db.session.scalar(db.select(db.func.count()).select_from(Note))


def test_join_by_code_in_any_case(client, create_event):
    event = create_event()
    response = client.get(f"/join?code={event.code.lower()}")
    assert response.location == f"/e/{event.code}"
    page = client.get(response.location).text
    assert "Table 1: Theme 1" in page and f"/t/{event.tables[0].token}" in page


def test_join_with_a_wrong_code_says_so(client):
    response = client.get("/join?code=ABC123")
    assert response.status_code == 404 and "No event has the code ABC123" in response.text


def test_phone_page_shows_theme_question_headings_clock_and_notes(client, live_event):
    table = live_event.tables[0]
    operations.post_note(table, heading="Ideas", text="Pair programming clinics", client_id="seed-note-0001")
    page = client.get(f"/t/{table.token}").text
    for text in ("Theme 1", "What about 1?", "Blockers", "Ideas", "Round 1 of 2", "Pair programming clinics"):
        assert text in page
    assert re.search(r'data-clock-time>(9:59|10:00)<', page)


def test_phone_form_posts_without_javascript_and_retries_do_not_duplicate(client, live_event):
    table = live_event.tables[0]
    form = {"heading": "Blockers", "text": "Licences are confusing", "client_id": "form-abcdef-1", "author": "Kim"}
    response = client.post(f"/t/{table.token}/notes", data=form, follow_redirects=True)
    assert "Your note is stored." in response.text and "Licences are confusing" in response.text
    again = client.post(f"/t/{table.token}/notes", data=form, follow_redirects=True)
    assert "already stored" in again.text and count_notes() == 1
    assert 'value="Kim"' in client.get(f"/t/{table.token}").text  # the name is remembered


def test_phone_form_errors_keep_the_text(client, live_event):
    table = live_event.tables[0]
    long_text = "y" * 300
    response = client.post(f"/t/{table.token}/notes", data={"heading": "Blockers", "text": long_text, "client_id": "form-abcdef-2"})
    assert response.status_code == 422 and "at most 280 characters" in response.text and long_text in response.text
    closed = operations.control_round(live_event, "end")
    response = client.post(f"/t/{table.token}/notes", data={"heading": "Blockers", "text": "late", "client_id": "form-abcdef-3"})
    assert response.status_code == 409 and "posting opens when the next round starts" in response.text
    assert closed is None and count_notes() == 0


def test_unknown_table_link_is_404(client):
    assert "not valid" in client.get("/t/not-a-token").text


def test_board_shows_tiles_clock_join_code_and_qr(client, live_event):
    operations.post_note(live_event.tables[1], heading="Ideas", text="Shared GPU pool", client_id="seed-note-0002")
    page = client.get(f"/board/{live_event.code}").text
    assert all(f"Theme {n}" in page for n in (1, 2, 3)) and "Shared GPU pool" in page
    assert live_event.code in page and f"/e/{live_event.code}/join.svg" in page
    qr = client.get(f"/e/{live_event.code}/join.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    table_page = client.get(f"/board/{live_event.code}/tables/2").text
    assert "Shared GPU pool" in table_page and "Theme 2" in table_page


def test_board_kiosk_cycles_through_tables(client, live_event):
    page = client.get(f"/board/{live_event.code}?kiosk=20").text
    assert 'data-kiosk="20"' in page and f"/board/{live_event.code}/tables/3?kiosk=20" in page


def test_console_needs_the_events_organiser(client, login, live_event, create_user):
    assert client.get(f"/console/{live_event.code}").status_code == 302
    login(create_user("eve@example.org"))
    assert client.get(f"/console/{live_event.code}").status_code == 403


def test_console_forms_run_the_round_without_javascript(client, login, live_event):
    login()
    page = client.get(f"/console/{live_event.code}").text
    assert "Start next round" in page and "<kbd>S</kbd>" in page
    response = client.post(f"/console/{live_event.code}/round/pause", follow_redirects=True)
    assert "Done: pause." in response.text and live_event.rounds[0].state.value == "paused"
    response = client.post(f"/console/{live_event.code}/round/start", follow_redirects=True)
    assert "already on" in response.text
    client.post(f"/console/{live_event.code}/announce", data={"text": "Coffee!"})
    client.post(f"/console/{live_event.code}/posting", data={"open": "0"})
    client.post(f"/console/{live_event.code}/settings", data={"warnings": "300,60", "chime": "1"})
    assert (live_event.announcement, live_event.posting_open, live_event.warnings, live_event.auto_advance) == \
        ("Coffee!", False, "300,60", False)


def test_vendor_library_is_served_from_our_origin(client):
    with client.get("/vendor/socket.io.min.js") as response:
        assert response.status_code == 200 and b"io" in response.data
    assert client.get("/vendor/evil.js").status_code == 404


def test_every_face_names_an_icon_the_app_serves(client, live_event):
    # Without one, browsers ask for /favicon.ico and log a failed request on every page.
    table = live_event.tables[0]
    for path in ("/", f"/t/{table.token}", f"/board/{live_event.code}", "/login", "/t/not-a-token"):
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', client.get(path).text)
        assert icon, f"{path} names no icon"
        with client.get(icon.group(1)) as response:
            assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_board_tiles_count_every_public_note_and_share_one_screen(client, live_event):
    for i in range(14):
        operations.post_note(live_event.tables[0], heading="Ideas", text=f"Idea {i}", client_id=f"count-note-{i:04}")
    hidden, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="Off topic", client_id="count-note-hide")
    operations.set_note_state(hidden, NoteState.HIDDEN)
    page = client.get(f"/board/{live_event.code}").text
    assert 'class="tiles cols-3 type-large"' in page
    counts = re.findall(r'data-total="(\d+)">(\d+) notes?<', page)
    assert counts == [("14", "14"), ("0", "0"), ("0", "0")]


def test_tiles_are_laid_out_to_fit_one_screen():
    from cafe.views.board import board_layout

    layouts = {n: board_layout(n) for n in (0, 1, 3, 4, 7, 8, 9, 12, 13, 30)}
    assert {n: (lay.pages, lay.per_page, lay.columns) for n, lay in layouts.items()} == {
        0: (1, 1, 1), 1: (1, 1, 1), 3: (1, 3, 3), 4: (1, 4, 2), 7: (1, 7, 4), 8: (1, 8, 4), 9: (1, 9, 3),
        12: (1, 12, 4), 13: (2, 7, 4), 30: (3, 10, 4)}
    assert [layouts[n].type for n in (1, 4, 7, 12)] == ["type-large", "type-medium", "", ""]
    assert [layouts[30].page_of(i) for i in (0, 9, 10, 29)] == [1, 1, 2, 3]


def test_a_board_of_more_than_twelve_tables_shows_them_a_screenful_at_a_time(client, create_event):
    event = create_event(tables=13)
    page = client.get(f"/board/{event.code}").text
    assert 'data-pages="2"' in page and re.findall(r'data-tile="(\d+)" data-page="(\d)"', page)[6:8] == [("7", "1"), ("8", "2")]
    assert "Tables 1 to 7 of 13" in page


def test_the_board_takes_its_turn_length_from_the_address(client, live_event):
    assert 'data-turn="' not in client.get(f"/board/{live_event.code}").text
    assert 'data-turn="3"' in client.get(f"/board/{live_event.code}?turn=1").text
    assert 'data-turn="20"' in client.get(f"/board/{live_event.code}/tables/1?turn=20").text


def test_phone_page_says_why_posting_is_closed_before_the_first_round(client, create_event):
    event = create_event()
    page = client.get(f"/t/{event.tables[0].token}").text
    assert re.search(r"data-post-status[^>]*>Posting opens when the first round starts.<", page)
    assert 'data-posting-closed="Posting opens when the first round starts."' in page


def test_moderation_views_flag_only_what_is_not_plainly_visible(client, login, live_event):
    visible, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="Fine", client_id="flag-note-0001")
    hidden, _ = operations.post_note(live_event.tables[0], heading="Ideas", text="Not fine", client_id="flag-note-0002")
    operations.set_note_state(hidden, NoteState.HIDDEN)
    operations.cast_vote(visible, "device-0001", live_event.tables[0])
    login()
    console = client.get(f"/console/{live_event.code}").text
    flags = re.findall(r'<p class="note-flag alert">([^<]*)</p>', console)
    assert flags == ["hidden"]
    host = client.get(f"/h/{live_event.tables[0].host_token}").text
    assert re.search(r'class="note-meta">1 vote<', host)
    assert re.findall(r'<span class="note-flag alert">([^<]*)</span>', host) == ["hidden"]
    assert '<textarea id="edit-' in host and '<textarea id="edit-' in console


def test_two_consoles_pressing_next_round_move_on_one_round(client, login, live_event):
    login()
    page = client.get(f"/console/{live_event.code}").text
    seen = re.search(r'data-round-action="next">[^<]*(?:<input[^>]*>\s*)*?<input type="hidden" name="clock" value="(\w+)">',
                     page)[1]
    for _ in range(2):  # both screens showed round 1
        response = client.post(f"/console/{live_event.code}/round/next", data={"clock": seen}, follow_redirects=True)
    assert "The clock changed meanwhile (round 2, running): nothing was done." in response.text
    assert [r.state.value for r in live_event.rounds] == ["ended", "running"]
