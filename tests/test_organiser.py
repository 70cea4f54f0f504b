"""The organiser face through HTTP: login, setup pages, uploads, and who may see what."""
import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cafe import operations
from cafe.setup_data import parse_participants_csv
from cafe.db import db
from cafe.models import Event


def test_pages_need_login(client, create_event):
    event = create_event()
    for url in ("/organiser/", f"/organiser/events/{event.code}", f"/organiser/events/{event.code}/setup.yaml"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_is_refused_with_a_message(client, user):
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert "do not match an account" in response.text


def test_login_redirect_stays_on_this_site(client, user):
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": "correct horse battery"})
    assert response.location == "/organiser/"


def test_create_and_edit_an_event(login):
    browser = login()
    response = browser.post("/organiser/events/new", data={"name": "Careers café", "date": "2026-06-18", "venue": "Room 4"},
                            follow_redirects=True)
    assert "Its join code is" in response.text
    event = db.session.scalar(db.select(Event))
    response = browser.post(f"/organiser/events/{event.code}/edit", data={"name": "Careers café II", "date": ""},
                            follow_redirects=True)
    assert "Careers café II" in response.text and event.date is None


def test_empty_event_name_is_refused(login):
    response = login().post("/organiser/events/new", data={"name": "   "})
    assert "The event name must not be empty" in response.text
    assert db.session.scalar(db.select(Event)) is None


def test_another_organiser_can_neither_see_nor_change_an_event(client, login, create_event, create_user):
    event = create_event()
    login(create_user("mallory@example.org"))
    code = event.code
    assert "Research Café" not in client.get("/organiser/").text
    for method, url, data in [
        ("get", f"/organiser/events/{code}", None),
        ("get", f"/organiser/events/{code}/setup.yaml", None),
        ("get", f"/organiser/events/{code}/participants", None),
        ("post", f"/organiser/events/{code}/edit", {"name": "Taken"}),
        ("post", f"/organiser/events/{code}/delete", {}),
        ("post", f"/organiser/events/{code}/duplicate", {}),
        ("post", f"/organiser/events/{code}/tables/1", {"number": 1, "theme": "X", "capacity": 8, "headings": "A"}),
        ("post", f"/organiser/events/{code}/tables/1/delete", {}),
        ("post", f"/organiser/events/{code}/rounds", {"minutes": 5, "buffer_seconds": 0}),
        ("post", f"/organiser/events/{code}/participants/add", {"name": "Eve"}),
    ]:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url)
    db.session.expire_all()
    assert event.name == "Research Café" and len(event.tables) == 3 and len(event.rounds) == 2


def test_unknown_event_is_404(login):
    assert login().get("/organiser/events/ZZZZZZ").status_code == 404


def test_tables_add_reorder_edit_delete(login, create_event):
    event = create_event(tables=2)
    browser = login()
    base = f"/organiser/events/{event.code}"
    response = browser.post(f"{base}/tables/new", data={
        "number": 3, "theme": "AI", "host": "Kim", "question": "What now?", "capacity": 6,
        "headings": "Blockers\n\nNeeded support\n"}, follow_redirects=True)
    assert "Saved table 3, AI" in response.text
    browser.post(f"{base}/tables/3/move/up")
    db.session.expire_all()
    assert [t.theme for t in event.tables] == ["Theme 1", "AI", "Theme 2"]
    assert event.tables[1].heading_titles == ["Blockers", "Needed support"]
    page = browser.get(f"{base}/tables/2")
    assert "Blockers\nNeeded support" in page.text
    browser.post(f"{base}/tables/2/delete")
    db.session.expire_all()
    assert [t.theme for t in event.tables] == ["Theme 1", "Theme 2"]
    assert browser.post(f"{base}/tables/1/move/down").status_code == 302  # the older table moving: was a 500
    db.session.expire_all()
    assert [t.theme for t in event.tables] == ["Theme 2", "Theme 1"]


def test_duplicate_table_number_is_refused(login, create_event):
    event = create_event(tables=2)
    response = login().post(f"/organiser/events/{event.code}/tables/new",
                            data={"number": 2, "theme": "Copy", "capacity": 8, "headings": "A"})
    assert "Table number 2 is already used by" in response.text
    db.session.expire_all()
    assert len(event.tables) == 2


def test_rounds_add_edit_delete(login, create_event):
    event = create_event(rounds=1)
    browser = login()
    base = f"/organiser/events/{event.code}/rounds"
    browser.post(base, data={"minutes": 15, "buffer_seconds": 90, "question": "Where next?"})
    browser.post(f"{base}/1", data={"minutes": 12, "buffer_seconds": 30, "question": ""})
    response = browser.post(f"{base}/2", data={"minutes": 999, "buffer_seconds": 30}, follow_redirects=True)
    assert "Minutes: Number must be between 1 and 240." in response.text
    db.session.expire_all()
    assert [(r.minutes, r.buffer_seconds, r.question) for r in event.rounds] == [(12, 30, ""), (15, 90, "Where next?")]
    browser.post(f"{base}/1/delete")
    db.session.expire_all()
    assert [(r.index, r.minutes) for r in event.rounds] == [(1, 15)]


def _upload(browser, event, content: bytes, mode: str = "add"):
    return browser.post(f"/organiser/events/{event.code}/participants/upload",
                        data={"upload-file": (io.BytesIO(content), "people.csv"), "upload-mode": mode},
                        content_type="multipart/form-data", follow_redirects=True)


def test_participant_upload(login, create_event):
    event = create_event(tables=2, participants=0)
    response = _upload(login(), event, b"name,organisation,role,host_of_table,does_not_move\nAmara,Leeds,RSE,1,\nJo,KTH,PhD,,yes\n")
    assert "Imported 2 participants" in response.text
    assert "Amara" in response.text and "table 1" in response.text


@pytest.mark.parametrize("content, message", [
    (b"name,colour\nA,red\n", "Unknown columns: &#39;colour&#39;"),
    ("name\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
    (b"name,host_of_table\nA,1\nB,77\n", "Row 3: there is no table 77 to host"),
])
def test_bad_participant_upload_changes_nothing(login, create_event, content, message):
    event = create_event(participants=3)
    response = _upload(login(), event, content, mode="replace")
    assert response.status_code == 422
    assert "Nothing was imported; the list is unchanged" in response.text
    assert message in response.text
    db.session.expire_all()
    assert len(event.participants) == 3


def test_a_50_mb_upload_is_refused_clearly(login, create_event):
    event = create_event(participants=3)
    # Encode the body in memory: the test client would spool it to a file the refused request never closes.
    boundary, body = encode_multipart({"upload-file": FileStorage(io.BytesIO(b"name\n" + b"a" * (50 << 20)), "big.csv")})
    response = login().post(f"/organiser/events/{event.code}/participants/upload", input_stream=io.BytesIO(body),
                            content_type=f"multipart/form-data; boundary={boundary}", content_length=len(body))
    assert response.status_code == 413
    assert "That is too large: the limit is 2 MB. Nothing was stored." in response.text
    db.session.expire_all()
    assert len(event.participants) == 3


def test_add_and_remove_one_participant(login, create_event):
    event = create_event(participants=0)
    browser = login()
    base = f"/organiser/events/{event.code}/participants"
    response = browser.post(f"{base}/add", data={"person-name": "Zoe", "person-host_of_table": "9"})
    assert response.status_code == 422 and "there is no table 9 to host" in response.text
    browser.post(f"{base}/add", data={"person-name": "Zoe", "person-organisation": "CERN"})
    person = event.participants[0]
    browser.post(f"{base}/{person.id}/delete")
    db.session.expire_all()
    assert event.participants == []


def test_setup_download_and_import_give_an_equal_event(login, create_event):
    event = create_event()
    browser = login()
    download = browser.get(f"/organiser/events/{event.code}/setup.yaml")
    assert download.headers["Content-Disposition"].endswith(f'{event.code}-setup.yaml"')
    response = browser.post("/organiser/import", data={"file": (io.BytesIO(download.data), "setup.yaml")},
                            content_type="multipart/form-data", follow_redirects=True)
    assert "Imported &#39;Research Café&#39;" in response.text
    copy = db.session.scalars(db.select(Event).where(Event.id != event.id)).one()
    assert operations.read_setup(copy) == operations.read_setup(event)


def test_bad_setup_import_creates_nothing(login):
    response = login().post("/organiser/import", data={"file": (io.BytesIO(b"cafe_setup: 1\nevent: {}"), "x.yaml")},
                            content_type="multipart/form-data", follow_redirects=True)
    assert "Nothing was imported" in response.text and "missing: name" in response.text
    assert db.session.scalar(db.select(Event)) is None


def test_duplicate_and_delete(login, create_event):
    event = create_event()
    browser = login()
    browser.post(f"/organiser/events/{event.code}/duplicate")
    assert "Copy of Research Café" in browser.get("/organiser/").text
    confirm = browser.get(f"/organiser/events/{event.code}/delete")
    assert "It cannot be undone" in confirm.text
    browser.post(f"/organiser/events/{event.code}/delete")
    assert browser.get(f"/organiser/events/{event.code}").status_code == 404


def test_participant_csv_download_reimports(login, create_event):
    event = create_event(participants=5)
    text = login().get(f"/organiser/events/{event.code}/participants.csv").data
    assert text.startswith(b"name,organisation,role,email,host_of_table,does_not_move")
    assert len(parse_participants_csv(text, {1, 2, 3})) == 5


def test_user_text_is_escaped(login, create_event):
    event = create_event()
    browser = login()
    browser.post(f"/organiser/events/{event.code}/edit", data={"name": "<script>alert(1)</script>"})
    page = browser.get(f"/organiser/events/{event.code}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_security_headers(client):
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def csrf_client(app_config, create_user):
    from cafe import create_app
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    return app.test_client()


def test_forms_without_csrf_token_are_refused(csrf_client, user):
    response = csrf_client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "The form expired" in response.text


def test_api_tokens_from_the_organiser_page(login, user, client, create_event):
    event = create_event()
    browser = login()
    page = browser.post("/organiser/tokens", data={"label": "room timer"}, follow_redirects=True).text
    token = page.split("shown only once): ")[1].split("<")[0].strip()
    url = f"/api/v1/events/{event.code}/rounds/current/start"
    assert client.post(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert "room timer, made" in browser.get("/organiser/").text
    browser.post(f"/organiser/tokens/{user.api_tokens[0].id}/delete")
    assert client.post(url.replace("start", "pause"), headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_events_page_has_its_title(login):
    assert "<title>My events · cafe</title>" in login().get("/organiser/").text
