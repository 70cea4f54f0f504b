"""The role matrix: every route and socket event, tried by every role, is allowed or refused as the table says.

The expectations are written here by hand, independently of cafe.roles, so a wrong entry there fails a test.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, Response, g
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from cafe import operations
from cafe.operations import accounts
from cafe.views import api as api_views, exports as exports_views, organiser as organiser_views
from cafe.db import db
from cafe.live import socketio
from cafe.models import ApiToken, Event, Note, Participant, PollResponse, Question, Table, Theme, User
from cafe.roles import SOCKET_EVENTS

ORGANISER, FACILITATOR, HOST, OTHER_HOST, ATTENDEE, BOARD, OTHER_ORGANISER, OLD_FACILITATOR, MODERATOR = (
    "organiser", "facilitator", "host", "other host", "attendee", "board", "other organiser", "replaced facilitator",
    "moderator")
PERSONAS = (BOARD, ATTENDEE, HOST, OTHER_HOST, MODERATOR, OLD_FACILITATOR, OTHER_ORGANISER, FACILITATOR, ORGANISER)
EVERYONE = frozenset(PERSONAS)
ACCOUNTS = frozenset({ORGANISER, OTHER_ORGANISER})
RUNNERS = frozenset({ORGANISER, FACILITATOR})
API_RUNNERS = frozenset({ORGANISER})  # the API takes an organiser's bearer token, never a facilitator link
OWNER = frozenset({ORGANISER})


@dataclass(frozen=True)
class Case:
    """One route tried by every persona: method, path (with {placeholders}), form or JSON body, who may."""

    endpoint: str
    method: str
    path: str
    allowed: frozenset[str]
    form: dict[str, Any] | None = None
    json: dict[str, Any] | None = None


CASES = [
    Case("static", "GET", "/static/css/cafe.css", EVERYONE),
    Case("pages.index", "GET", "/", EVERYONE),
    Case("pages.join", "GET", "/join?code={code}", EVERYONE),
    Case("pages.vendor", "GET", "/vendor/socket.io.min.js", EVERYONE),
    Case("activities.event", "GET", "/e/{code}", EVERYONE),
    Case("pages.join_qr", "GET", "/e/{code}/join.svg", EVERYONE),
    Case("pages.table_qr", "GET", "/t/{table}/qr.svg", EVERYONE),
    Case("auth.login", "GET", "/login", EVERYONE),
    Case("auth.logout", "POST", "/logout", ACCOUNTS),
    Case("table.page", "GET", "/t/{table}", EVERYONE),
    Case("table.post", "POST", "/t/{table}/notes", EVERYONE, form={"heading": "Ideas", "text": "From the form"}),
    Case("table.person", "GET", "/p/{person}", EVERYONE),
    Case("table.next_seat_fragment", "GET", "/next-seat", EVERYONE),
    Case("board.event", "GET", "/board/{code}", EVERYONE),
    Case("board.table", "GET", "/board/{code}/tables/1", EVERYONE),
    Case("board.words", "GET", "/board/{code}/words", EVERYONE),
    Case("board.arrivals", "GET", "/board/{code}/arrivals", EVERYONE),
    Case("board.counts", "GET", "/board/{code}/counts", EVERYONE),
    Case("harvest.vote", "POST", "/e/{code}/notes/1/vote", EVERYONE, form={"table": "1"}),
    Case("harvest.host", "GET", "/h/{host}", frozenset({HOST, OTHER_HOST})),  # each host opens their own table
    Case("harvest.host_moderate", "POST", "/h/{host}/notes/1/hide", frozenset({HOST})),  # note 1 is at table 1
    Case("console.facilitate", "GET", "/console/link/{facilitator}", EVERYONE),
    Case("console.page", "GET", "/console/{code}", RUNNERS),
    Case("console.note", "GET", "/console/{code}/notes/1", RUNNERS),
    Case("console.rounds", "GET", "/console/{code}/rounds", RUNNERS),
    Case("console.round_action", "POST", "/console/{code}/round/pause", RUNNERS),
    Case("console.posting", "POST", "/console/{code}/posting", RUNNERS, form={"open": "1"}),
    Case("console.announce", "POST", "/console/{code}/announce", RUNNERS, form={"text": "Coffee"}),
    Case("console.settings", "POST", "/console/{code}/settings", RUNNERS, form={"warnings": "60"}),
    Case("harvest.console_moderate", "POST", "/console/{code}/notes/1/pin", RUNNERS),
    Case("harvest.console_edit", "POST", "/console/{code}/notes/1/edit", RUNNERS, form={"text": "Edited", "version": "1"}),
    Case("harvest.console_merge", "POST", "/console/{code}/merge", RUNNERS, form={"notes": ["1", "2"]}),
    Case("harvest.console_reveal", "POST", "/console/{code}/reveal", RUNNERS),
    Case("harvest.console_settings", "POST", "/console/{code}/harvest-settings", RUNNERS, form={"vote_limit": "3"}),
    Case("themes.panel", "GET", "/console/{code}/themes", RUNNERS),
    Case("themes.suggest", "GET", "/console/{code}/themes/suggest", RUNNERS),
    Case("themes.create", "POST", "/console/{code}/themes", RUNNERS, form={"name": "Funding"}),
    Case("themes.assign", "POST", "/console/{code}/themes/assign", RUNNERS, form={"theme": "{theme}", "notes": ["1"]}),
    Case("themes.rename", "POST", "/console/{code}/themes/{theme}/rename", RUNNERS, form={"name": "Money"}),
    Case("themes.delete", "POST", "/console/{code}/themes/{theme}/delete", RUNNERS),
    Case("organiser.index", "GET", "/organiser/", ACCOUNTS),
    Case("organiser.new_event", "GET", "/organiser/events/new", ACCOUNTS),
    Case("organiser.import_setup", "POST", "/organiser/import", ACCOUNTS),
    Case("organiser.create_token", "POST", "/organiser/tokens", ACCOUNTS, form={"label": "script"}),
    Case("organiser.revoke_token", "POST", "/organiser/tokens/{api_token_id}/delete", ACCOUNTS),
    Case("organiser.event", "GET", "/organiser/events/{code}", OWNER),
    Case("organiser.edit_event", "GET", "/organiser/events/{code}/edit", OWNER),
    Case("organiser.duplicate_event", "POST", "/organiser/events/{code}/duplicate", OWNER),
    Case("organiser.table", "GET", "/organiser/events/{code}/tables/1", OWNER),
    Case("organiser.move_table", "POST", "/organiser/events/{code}/tables/2/move/up", OWNER),
    Case("organiser.delete_table", "POST", "/organiser/events/{code}/tables/3/delete", OWNER),
    Case("organiser.save_round", "POST", "/organiser/events/{code}/rounds/2", OWNER,
         form={"minutes": "15", "buffer_seconds": "60"}),
    Case("organiser.delete_round", "POST", "/organiser/events/{code}/rounds/2/delete", OWNER),
    Case("organiser.participants", "GET", "/organiser/events/{code}/participants", OWNER),
    Case("organiser.participants_file", "GET", "/organiser/events/{code}/participants.csv", OWNER),
    Case("organiser.add_participant", "POST", "/organiser/events/{code}/participants/add", OWNER, form={"name": "Kim"}),
    Case("organiser.upload_participants", "POST", "/organiser/events/{code}/participants/upload", OWNER),
    Case("organiser.attendance", "POST", "/organiser/events/{code}/participants/{pid}/attendance", OWNER),
    Case("organiser.delete_participant", "POST", "/organiser/events/{code}/participants/{pid}/delete", OWNER),
    Case("organiser.plan", "GET", "/organiser/events/{code}/plan", OWNER),
    Case("organiser.make_plan", "POST", "/organiser/events/{code}/plan", OWNER),
    Case("organiser.clear_plan", "POST", "/organiser/events/{code}/plan/clear", OWNER),
    Case("organiser.setup_file", "GET", "/organiser/events/{code}/setup.yaml", OWNER),
    Case("organiser.replace_link", "POST", "/organiser/events/{code}/links/host", OWNER, form={"table": "2"}),
    Case("exports.prepare", "POST", "/console/{code}/exports/blog.md", RUNNERS),
    Case("exports.prepared", "GET", "/console/{code}/exports/blog.md", RUNNERS),
    Case("organiser.export", "GET", "/organiser/events/{code}/exports/blog.md", RUNNERS),
    Case("organiser.delete_event", "POST", "/organiser/events/{code}/delete", OWNER, form={"confirm": "{code}"}),
    Case("api.openapi", "GET", "/api/v1/openapi.json", EVERYONE),
    Case("api.event", "GET", "/api/v1/events/{code}", EVERYONE),
    Case("api.notes", "GET", "/api/v1/events/{code}/notes", EVERYONE),
    Case("api.post_note", "POST", "/api/v1/events/{code}/tables/1/notes", EVERYONE,
         json={"heading": "Ideas", "text": "From a script"}),
    Case("api.vote", "POST", "/api/v1/events/{code}/notes/1/vote", EVERYONE, json={"device": "d-1", "table": 1}),
    Case("api.round_action", "POST", "/api/v1/events/{code}/rounds/current/pause", API_RUNNERS),
    Case("api.export", "GET", "/api/v1/events/{code}/exports/notes.csv", API_RUNNERS),
    Case("activities.respond", "POST", "/e/{code}/polls/{poll}", EVERYONE, form={"choice": "1", "client_id": "form-answer-1"}),
    Case("activities.questions", "GET", "/e/{code}/questions", EVERYONE),
    Case("activities.ask", "POST", "/e/{code}/questions", EVERYONE, form={"text": "Why?", "client_id": "form-question-1"}),
    Case("activities.upvote", "POST", "/e/{code}/questions/{question}/vote", EVERYONE),
    Case("activities.polls", "GET", "/console/{code}/polls", RUNNERS),
    Case("activities.activities", "GET", "/console/{code}/activities", RUNNERS),
    Case("activities.create_poll", "POST", "/console/{code}/polls/new", RUNNERS,
         form={"question": "Role?", "kind": "single", "options": "A\nB"}),
    Case("activities.control_poll", "POST", "/console/{code}/polls/{poll}/close", RUNNERS),
    Case("activities.launch", "POST", "/console/{code}/activity", RUNNERS, form={"activity": "questions"}),
    Case("activities.moderate", "POST", "/console/{code}/questions/{question}/pin", RUNNERS),
    Case("activities.question_to_table", "POST", "/console/{code}/questions/{question}/to-table", RUNNERS,
         form={"target": "table:2"}),
    Case("activities.moderate_answer", "POST", "/console/{code}/answers/{answer}/hide", RUNNERS),
    Case("activities.qa_settings", "POST", "/console/{code}/questions-settings", RUNNERS, form={"premoderation": "1"}),
    Case("activities.moderator", "GET", "/moderate/{moderator}", frozenset({MODERATOR})),
    Case("activities.moderator_action", "POST", "/moderate/{moderator}/questions/{question}/hide", frozenset({MODERATOR})),
    Case("api.polls", "GET", "/api/v1/events/{code}/polls", EVERYONE),
    Case("api.create_poll", "POST", "/api/v1/events/{code}/polls", API_RUNNERS,
         json={"question": "Role?", "options": ["A", "B"]}),
    Case("api.control_poll", "POST", "/api/v1/events/{code}/polls/{poll}/close", API_RUNNERS),
    Case("api.poll_results", "GET", "/api/v1/events/{code}/polls/{poll}/results", EVERYONE),
    Case("api.respond", "POST", "/api/v1/events/{code}/polls/{poll}/responses", EVERYONE,
         json={"client_id": "api-answer-1", "choices": [2], "device": "api-device-9"}),
    Case("api.questions", "GET", "/api/v1/events/{code}/questions", EVERYONE),
    Case("api.ask", "POST", "/api/v1/events/{code}/questions", EVERYONE,
         json={"text": "How?", "client_id": "api-question-1", "device": "api-device-9"}),
    Case("api.upvote", "POST", "/api/v1/events/{code}/questions/{question}/vote", EVERYONE, json={"device": "api-device-9"}),
    Case("api.moderate_question", "POST", "/api/v1/events/{code}/questions/{question}/answer", API_RUNNERS),
    Case("api.question_to_table", "POST", "/api/v1/events/{code}/questions/{question}/to-table", API_RUNNERS,
         json={"table": 2}),
    Case("api.launch", "POST", "/api/v1/events/{code}/activity", API_RUNNERS, json={"activity": "questions"}),
]
SOCKET_CASES = {"join:board": EVERYONE, "join:table": EVERYONE, "join:phone": EVERYONE, "join:console": RUNNERS,
                "round.control": RUNNERS, "sync": EVERYONE}


@dataclass
class World:
    """An event run by one organiser, another organiser with an event of their own, and everyone's links."""

    app: Flask
    event: Event
    owner: User
    other: User
    tokens: dict[str, str]
    old_facilitator_token: str
    clients: dict[str, FlaskClient]

    def values(self, persona: str) -> dict[str, Any]:
        """What fills a path's placeholders for this persona (each host holds only their own table's link)."""
        tables = self.event.tables
        host = {HOST: tables[0].host_token, OTHER_HOST: tables[1].host_token}.get(persona, "not-a-host-link-0000000")
        theme = db.session.scalar(select(Theme.id).where(Theme.event_id == self.event.id)) or 0
        person = db.session.scalar(select(Participant).where(Participant.event_id == self.event.id))
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == (
            self.other.id if persona == OTHER_ORGANISER else self.owner.id))) or 0
        moderator = self.event.moderator_token if persona == MODERATOR else "not-a-moderator-link-00000"
        poll = self.event.polls[0]
        answer = db.session.scalar(select(PollResponse.id).where(PollResponse.poll_id == self.event.polls[1].id))
        question = db.session.scalar(select(Question.id).where(Question.event_id == self.event.id))
        return {"code": self.event.code, "table": tables[0].token, "host": host, "theme": theme,
                "pid": person.id if person else 0, "person": person.token if person else "gone",
                "facilitator": self.event.facilitator_token, "api_token_id": token_id, "moderator": moderator,
                "poll": poll.id, "answer": answer or 0, "question": question or 0}

    def headers(self, persona: str, path: str) -> dict[str, str]:
        """An organiser's bearer token on API calls."""
        if not path.startswith("/api/") or persona not in ACCOUNTS:
            return {}
        return {"Authorization": f"Bearer {self.tokens[persona]}"}


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """Cheap password hashes and exports: this module checks who gets through, other tests check what they get."""
    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    for view in (organiser_views, api_views):
        monkeypatch.setattr(view, "download", lambda event, name: Response(f"{event.code} {name}"))
    monkeypatch.setattr(exports_views, "prepare_export", lambda event, name: True)


@pytest.fixture
def world(app, create_user, create_event, login) -> World:
    """Everyone of the matrix, each with a browser of their own."""
    owner, other = create_user("owner@example.org"), create_user("other@example.org")
    event = create_event(owner, tables=3, rounds=2, participants=4)
    create_event(other, name="Someone else's café")
    operations.control_round(event, "start")
    for number, text in enumerate(("First note", "Second note")):
        operations.post_note(event.tables[0], heading="Ideas", text=text, client_id=f"client-{number:04d}")
    operations.create_theme(event, "Money")
    poll = operations.create_poll(event, question="What is your role?", options=["RSE", "Researcher"])
    words = operations.create_poll(event, question="One word?", kind="open")
    operations.launch_activity(event, "poll", poll)
    operations.control_poll(words, "open")
    operations.respond_poll(words, "matrix-device-1", client_id="matrix-answer-1", text="community")
    operations.ask_question(event, "matrix-device-1", text="What comes next?", client_id="matrix-question-1")
    tokens = {ORGANISER: operations.create_api_token(owner, "owner's script"),
              OTHER_ORGANISER: operations.create_api_token(other, "other's script")}
    clients = {persona: app.test_client() for persona in PERSONAS}
    login(owner, clients[ORGANISER])
    login(other, clients[OTHER_ORGANISER])
    clients[ATTENDEE].get(f"/t/{event.tables[0].token}")
    old = event.facilitator_token
    for persona in (FACILITATOR, OLD_FACILITATOR):
        assert clients[persona].get(f"/console/link/{event.facilitator_token}").status_code == 302
    operations.replace_link(event, "facilitator")
    assert clients[FACILITATOR].get(f"/console/link/{event.facilitator_token}").status_code == 302
    return World(app, event, owner, other, tokens, old, clients)


def stored(event_id: int) -> tuple:
    """What a refused request must leave as it was."""
    event = db.session.get(Event, event_id)
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    return (event is not None and (event.name, event.announcement, event.posting_open, event.warnings,
                                   event.vote_limit, event.facilitator_token),
            count(Note, Note.event_id == event_id), count(Note, Note.state == "visible"), count(Note, Note.pinned),
            count(Table, Table.event_id == event_id), count(Theme), count(Participant), count(ApiToken), count(Event),
            tuple(r.state for r in event.rounds) if event else (),
            event and (event.activity, event.qa_premoderation, tuple((p.state, p.revealed) for p in event.polls)),
            count(PollResponse), tuple(db.session.execute(select(Question.state, Question.pinned, Question.votes)).all()),
            tuple(t.question for t in event.tables) if event else ())


def forget_login() -> None:
    """Requests share the test's app context, where Flask-Login caches who is logged in: ask afresh each time."""
    g.pop("_login_user", None)


def fill(value: Any, values: dict[str, Any]) -> Any:
    """A placeholder-filled copy of a path, form or JSON value."""
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def attempt(world: World, case: Case, persona: str) -> tuple[bool, int]:
    """Make the request as the persona; returns (allowed, status)."""
    values = world.values(persona)
    path = fill(case.path, values)
    forget_login()
    with world.clients[persona].open(path, method=case.method, data=fill(case.form, values),
                                     json=fill(case.json, values), headers=world.headers(persona, path)) as response:
        pass  # closed at once: file responses (static, vendor) hold their file open until then
    to_login = response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
    refused = response.status_code in (401, 403) or to_login
    if case.endpoint.startswith(("harvest.host", "activities.moderator")) and response.status_code == 404:
        refused = True  # a made-up host or moderator link is refused by not existing
    assert response.status_code < 500, f"{case.endpoint} as {persona}: {response.status_code}"
    return not refused, response.status_code


def test_every_route_has_a_case(app):
    """A new route must be added to this matrix (and to cafe.roles) before it can be reached."""
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == {case.endpoint for case in CASES}
    assert set(SOCKET_EVENTS) == set(SOCKET_CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.endpoint)
def test_route_matrix(world, case):
    """Refused personas change nothing; allowed ones get past the check (the most powerful tries last)."""
    event_id = world.event.id
    allowed = [p for p in PERSONAS if p in case.allowed]
    for persona in [p for p in PERSONAS if p not in case.allowed]:
        before = stored(event_id)
        ok, status = attempt(world, case, persona)
        assert not ok, f"{case.endpoint}: {persona} should be refused but got {status}"
        db.session.expire_all()
        assert stored(event_id) == before, f"{case.endpoint}: a refused {persona} changed stored data"
    for persona in allowed:
        ok, status = attempt(world, case, persona)
        assert ok, f"{case.endpoint}: {persona} should be allowed but got {status}"
        db.session.expire_all()


@pytest.mark.parametrize("name", sorted(SOCKET_CASES))
def test_socket_matrix(world, name):
    """Socket events: the console's rooms and round control only for the event's facilitators."""
    event = world.event
    for persona in PERSONAS:
        forget_login()
        socket = socketio.test_client(world.app, flask_test_client=world.clients[persona])
        view = name.partition(":")[2]
        if name.startswith("join:"):
            reply = socket.emit("join", {"event": event.code, "view": view, "table": event.tables[0].token},
                                callback=True)
        elif name == "round.control":
            reply = socket.emit("round.control", {"event": event.code, "action": "pause" if persona == ORGANISER
                                                  else "extend", "minutes": 1}, callback=True)
        else:
            reply = socket.emit(name, {}, callback=True)
        assert reply["ok"] == (persona in SOCKET_CASES[name]), f"{name} as {persona}: {reply}"
        socket.disconnect()


def test_replaced_links_lose_their_role(world):
    """Replacing the host and phone links of a table turns the old links away at once."""
    table = world.event.tables[0]
    old_host, old_phone = table.host_token, table.token
    owner = world.clients[ORGANISER]
    for kind in ("host", "table"):
        forget_login()
        response = owner.post(f"/organiser/events/{world.event.code}/links/{kind}", data={"table": "1"},
                              follow_redirects=True)
        assert "is replaced" in response.text
    forget_login()
    assert world.clients[HOST].get(f"/h/{old_host}").status_code == 404
    assert world.clients[ATTENDEE].get(f"/t/{old_phone}").status_code == 404
    assert world.clients[HOST].get(f"/h/{table.host_token}").status_code == 200
    page = world.clients[OLD_FACILITATOR].get(f"/console/{world.event.code}", follow_redirects=True).text
    assert "facilitator link was replaced" in page
