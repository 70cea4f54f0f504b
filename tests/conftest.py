"""Fixtures: an app on a fresh database, its clients, and factories for what tests need."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from cafe import create_app, operations
from cafe.live import socketio
from cafe.db import db
from cafe.models import Event, User
from cafe.setup_data import EventSpec, ParticipantSpec, RoundSpec, TableSpec
from helpers import postgres_schema

# The real server and Chromium fixtures of the browser and fault tests, registered once for the whole run.
pytest_plugins = ["browser_fixtures"]

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite"])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A database URL and engine options; parametrize with "postgresql" to run on both."""
    if request.param == "postgresql":
        yield from postgres_schema()
    else:
        yield f"sqlite:///{tmp_path / 'cafe.sqlite3'}", {}


@pytest.fixture
def app_config(database, tmp_path) -> dict[str, Any]:
    """The settings of a test app: its own database, export folder and secret."""
    url, engine_options = database
    return {
        "TESTING": True,
        "CAFE_DATABASE_URL": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
        "CAFE_SECRET_KEY": "test-secret",
        "CAFE_EXPORT_DIR": str(tmp_path / "exports"),
        "CAFE_PUBLIC_URL": "http://cafe.test",
        "WTF_CSRF_ENABLED": False,
        "CAFE_ASYNC_MODE": "threading",
    }


@pytest.fixture
def app(app_config) -> Iterator[Flask]:
    """An app with its schema created, inside an app context."""
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser with no one logged in."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs `flask ...` commands against the app."""
    return app.test_cli_runner()


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    """Make organiser accounts."""
    def make(email: str | None = None, password: str = PASSWORD) -> User:
        return operations.create_user(email or f"org-{secrets.token_hex(3)}@example.org", password)
    return make


@pytest.fixture
def user(create_user) -> User:
    """An organiser account."""
    return create_user("ada@example.org")


@pytest.fixture
def create_event(app: Flask, user: User) -> Callable[..., Event]:
    """Make events with tables, rounds and participants."""
    def make(owner: User | None = None, *, name: str = "Research Café", tables: int = 3, rounds: int = 2,
             participants: int = 6) -> Event:
        event = operations.create_event(owner or user, EventSpec(name=name, venue="Hall B"))
        for number in range(1, tables + 1):
            operations.save_table(event, TableSpec(number=number, theme=f"Theme {number}", host=f"Host {number}",
                                                   question=f"What about {number}?", headings=["Blockers", "Ideas"]))
        for _ in range(rounds):
            operations.save_round(event, RoundSpec(minutes=10))
        for index in range(participants):
            host = index + 1 if index < tables else None
            operations.add_participant(event, ParticipantSpec(name=f"Person {index}", organisation=f"Org {index % 3}",
                                                              role="Researcher", host_of_table=host))
        return event
    return make


@pytest.fixture
def login(client: FlaskClient, user: User) -> Callable[..., FlaskClient]:
    """Log a client in as an organiser (the default user unless one is given)."""
    def do(as_user: User | None = None, test_client: FlaskClient | None = None) -> FlaskClient:
        browser = test_client or client
        response = browser.post("/login", data={"email": (as_user or user).email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return browser
    return do


@pytest.fixture
def live_event(create_event) -> Event:
    """An event whose first round is running."""
    event = create_event()
    operations.control_round(event, "start")
    return event


@pytest.fixture
def sio(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    """Socket.IO test clients that have joined a view of an event (sharing `client`'s login when asked)."""
    made = []

    def connect(event: Event, view: str = "board", *, table: str | None = None, logged_in: FlaskClient | None = None):
        socket = socketio.test_client(app, flask_test_client=logged_in)
        reply = socket.emit("join", {"event": event.code, "view": view, "table": table}, callback=True)
        socket.get_received()
        socket.join_reply = reply
        made.append(socket)
        return socket

    yield connect
    for socket in made:
        if socket.is_connected():
            socket.disconnect()

