"""The JSON API: reading, posting with retries, running rounds with tokens, and clear JSON errors."""
import pytest

from cafe import operations
from cafe.models import Note
from cafe.db import db

NOTE = {"heading": "Blockers", "text": "No time for training", "client_id": "phone-1-abcdef"}


@pytest.fixture
def token(user):
    return operations.create_api_token(user, "tests")


def notes_url(event, table=1):
    return f"/api/v1/events/{event.code}/tables/{table}/notes"


def test_event_has_tables_rounds_and_clock(client, live_event):
    data = client.get(f"/api/v1/events/{live_event.code.lower()}").json
    assert data["code"] == live_event.code and len(data["tables"]) == 3 and len(data["rounds"]) == 2
    assert data["tables"][0]["headings"] == ["Blockers", "Ideas"]
    current = data["current"]
    assert current["phase"] == "running" and 598 < current["remaining_s"] <= 600
    assert current["ends_at"].endswith("Z") and current["server_time"].endswith("Z")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_post_is_idempotent_on_client_id(client, live_event):
    first = client.post(notes_url(live_event), json=NOTE)
    again = client.post(notes_url(live_event), json=NOTE)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json == again.json and first.json["seq"] == 1 and first.json["author"] is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_post_on_its_own_connection_stores_once_and_gives_the_connection_back(client, live_event):
    """As in a server's request, no transaction is open when a note arrives: it is posted on its own connection."""
    url, other = notes_url(live_event), notes_url(live_event, table=2)
    posts = []
    for body in (NOTE, NOTE, {**NOTE, "client_id": "phone-1-second", "heading": "Nowhere"}, {**NOTE, "client_id": "x"}):
        db.session.commit()
        posts.append(client.post(url, json=body))
    db.session.commit()
    posts.append(client.post(other, json={**NOTE, "client_id": "phone-2-abcdef", "text": "Second table"}))
    assert [p.status_code for p in posts] == [201, 200, 422, 422, 201]
    assert posts[1].json == posts[0].json and "Choose one of this table's headings" in posts[2].json["error"]["message"]
    assert [p.json["seq"] for p in (posts[0], posts[4])] == [1, 2]
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 2
    assert db.engine.pool.checkedout() <= 1  # only the session's own: each post gave its connection back


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_retry_after_posting_closed_gets_the_note_already_stored(client, live_event):
    """A phone that lost the answer retries after the round ended: it is told its note is stored, not refused."""
    first = client.post(notes_url(live_event), json=NOTE)
    operations.control_round(live_event, "end")
    again = client.post(notes_url(live_event), json=NOTE)
    assert (first.status_code, again.status_code) == (201, 200) and again.json["seq"] == first.json["seq"]
    refused = client.post(notes_url(live_event), json={**NOTE, "client_id": "phone-1-another"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "posting_closed"


def test_notes_after_a_sequence_number(client, live_event):
    for i in range(5):
        client.post(notes_url(live_event, table=1 + i % 2), json={**NOTE, "client_id": f"phone-{i}-abcdef", "text": f"n{i}"})
    data = client.get(f"/api/v1/events/{live_event.code}/notes?after=2").json
    assert [n["text"] for n in data["notes"]] == ["n2", "n3", "n4"] and data["last_seq"] == 5
    table = client.get(f"/api/v1/events/{live_event.code}/notes?after=0&table=2&html=1").json
    assert [n["seq"] for n in table["notes"]] == [2, 4] and 'id="note-2"' in table["notes"][0]["html"]


@pytest.mark.parametrize("body, status, code, message", [
    ({**NOTE, "text": ""}, 422, "invalid", "Write something"),
    ({**NOTE, "text": "   \n\t "}, 422, "invalid", "Write something"),
    ({**NOTE, "text": "x" * 281}, 422, "invalid", "at most 280 characters"),
    ({**NOTE, "heading": "Gossip"}, 422, "invalid", "Choose one of this table's headings: Blockers, Ideas"),
    ({**NOTE, "client_id": "x"}, 422, "invalid", "client id"),
    ({**NOTE, "author": "a" * 61}, 422, "invalid", "name can be at most 60"),
])
def test_bad_notes_are_refused_and_nothing_is_stored(client, live_event, body, status, code, message):
    response = client.post(notes_url(live_event), json=body)
    assert response.status_code == status
    assert response.json["error"]["code"] == code and message in response.json["error"]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 0


def test_unknown_table_and_event_are_404(client, live_event):
    unknown_table = client.post(notes_url(live_event, table=99), json=NOTE).json["error"]
    assert unknown_table["code"] == "not_found" and unknown_table["message"] == "There is no table 99."
    unknown_event = client.post("/api/v1/events/ZZZZZZ/tables/1/notes", json=NOTE)
    assert unknown_event.status_code == 404 and "no event" in unknown_event.json["error"]["message"]
    assert client.get("/api/v1/events/ZZZZZZ").status_code == 404
    assert client.get("/api/v1/nothing-here").json["error"]["code"] == "not_found"


def test_malformed_json_and_huge_bodies(client, live_event):
    response = client.post(notes_url(live_event), data="{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON object" in response.json["error"]["message"]
    huge = client.post(notes_url(live_event), data="x" * (10 * 1024 * 1024), content_type="application/json")
    assert huge.status_code == 413 and huge.json["error"]["code"] == "request_entity_too_large"


def test_posting_closed_before_between_and_when_closed(client, create_event):
    event = create_event(rounds=2)
    response = client.post(notes_url(event), json=NOTE)
    assert response.status_code == 409 and response.json["error"]["code"] == "posting_closed"
    assert "first round starts" in response.json["error"]["message"]
    operations.control_round(event, "start")
    operations.set_posting(event, False)
    assert "closed posting" in client.post(notes_url(event), json=NOTE).json["error"]["message"]
    operations.set_posting(event, True)
    operations.control_round(event, "end")
    assert "move to your next table" in client.post(notes_url(event), json=NOTE).json["error"]["message"]


def test_round_control_needs_a_facilitator_token(client, live_event, token, create_user):
    url = f"/api/v1/events/{live_event.code}/rounds/current/pause"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": "Bearer wrong"}).json["error"]["code"] == "unauthorized"
    stranger = operations.create_api_token(create_user("eve@example.org"))
    assert client.post(url, headers={"Authorization": f"Bearer {stranger}"}).status_code == 403
    response = client.post(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["phase"] == "paused"


def test_the_api_ignores_the_organisers_login_cookie_and_leaves_it_working(login, live_event):
    browser = login()  # logged in through the login form: its session cookie goes with every request below
    assert browser.post(f"/api/v1/events/{live_event.code}/rounds/current/pause").status_code == 401
    posted = browser.post(notes_url(live_event), json=NOTE)
    assert posted.status_code == 201 and "Set-Cookie" not in posted.headers
    assert browser.get(f"/console/{live_event.code}").status_code == 200  # still logged in on the pages


def test_round_control_actions_and_conflicts(client, live_event, token):
    auth = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/events/{live_event.code}/rounds/current"
    extended = client.post(f"{base}/extend", json={"minutes": 5}, headers=auth).json
    assert 898 < extended["remaining_s"] <= 900
    assert client.post(f"{base}/extend", headers=auth).status_code == 400
    assert client.post(f"{base}/start", headers=auth).status_code == 409
    assert client.post(f"{base}/dance", headers=auth).status_code == 404
    assert client.post(f"{base}/next", headers=auth).json["round"] == 2


def test_revoked_tokens_are_refused(client, live_event, user, token):
    operations.revoke_api_token(user, user.api_tokens[0].id)
    response = client.post(f"/api/v1/events/{live_event.code}/rounds/current/pause", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_openapi_documents_every_api_route(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    routes = {rule.rule.removeprefix("/api/v1").replace("<int:", "<") for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1")}
    assert routes == documented
