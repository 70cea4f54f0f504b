"""A database or Redis that is away: clear retryable answers, and notes are never refused over a rate counter."""
from __future__ import annotations

from cafe import create_app
from cafe.db import db
from serving import free_port


def test_database_away_is_a_retryable_503(app_config):
    """While the database restarts, requests get 503 with Retry-After and a message saying nothing was lost."""
    app = create_app({**app_config, "CAFE_DATABASE_URL": f"postgresql+psycopg://cafe@127.0.0.1:{free_port()}/cafe",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}})
    client = app.test_client()
    api = client.post("/api/v1/events/K7MQ4T/tables/1/notes", json={"heading": "Ideas", "text": "Hello"})
    # At least 5 s; the rate limiter may lengthen it to the end of the device's current window.
    assert api.status_code == 503 and 5 <= int(api.headers["Retry-After"]) <= 60
    assert api.json["error"]["code"] == "unavailable" and "nothing was lost" in api.json["error"]["message"]
    page = client.get("/e/K7MQ4T")
    assert page.status_code == 503 and "Try again in a few seconds" in page.text


def test_rate_limit_storage_away_does_not_refuse_notes(app_config, live_event):
    """With the limiter's Redis down, phones still post (counted in this process meanwhile)."""
    token, code = live_event.tables[0].token, live_event.code
    db.session.close()  # the second app below opens the same SQLite file
    app = create_app({**app_config, "CAFE_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{free_port()}/0"})
    client = app.test_client()
    client.get(f"/t/{token}")
    response = client.post(f"/api/v1/events/{code}/tables/1/notes",
                           json={"heading": "Ideas", "text": "Posted while Redis restarts", "client_id": "outage-0001"})
    assert response.status_code == 201, response.text
