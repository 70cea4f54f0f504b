"""Fuzzing the JSON API against its own OpenAPI document: no server errors, every response as documented.

The document is read from the app (/api/v1/openapi.json) and every request goes through the WSGI app in
this process. Hooks steer what the generator makes: path parameters, note headings and vote tables often
become real ones (the event's code, its tables and headings, its notes), secured operations often carry a
valid token, and numbers are often swapped for edge values (64-bit limits, NaN, infinities), so requests
get past the lookups and the token check into the code behind them, and not only to 401s and 404s.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis import GenerationMode

from cafe import operations
from cafe.models import Event, User
from cafe.payloads import event_questions

OPENAPI = "/api/v1/openapi.json"

# Only what the API promises: never a server error, and each response's status code, content type and body
# as the document says. (The checks that judge what should be refused or accepted are left out: the
# document cannot spell out every rule, e.g. that a heading must be one of the table's own.)
CONFIG = schemathesis.Config.from_dict({"checks": {
    "enabled": False,
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
}})

# Examples per operation: enough to reach every branch behind the lookups, few enough that the file stays
# within a couple of minutes on CI. Exports are few because each one renders in a child process (a fresh
# interpreter, about a second each).
BUDGET = {"openapi": 1, "getEvent": 60, "listNotes": 150, "postNote": 250, "vote": 150, "unvote": 100,
          "controlRound": 200, "getExport": 15, "listPolls": 20, "createPoll": 120, "controlPoll": 60,
          "pollResults": 30, "respondPoll": 150, "listQuestions": 30, "askQuestion": 100, "upvoteQuestion": 60,
          "unvoteQuestion": 40, "moderateQuestion": 60, "questionToTable": 60, "launchActivity": 60}

# `derandomize` makes a CI run repeatable; deadline=None since one request may well take longer than 200 ms
# on a busy CI machine; too_slow because drawing bodies for the open request objects (they allow extra
# properties) is legitimately slow there.
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow])

# The PDFs are left out: each takes several seconds in the layout engine on top of the child process. They
# go through the same download path as the other exports and are checked in test_exports.py; fuzzing them
# would multiply the time and reach no code the other exports do not.
PDFS = {"cards.pdf", "poster.pdf", "summary.pdf", "itineraries.pdf"}

# Numbers a generator rarely draws by itself and servers often trip on: the database's integer limits, a
# huge float, the words float() reads as numbers that are none (JSON bodies cannot carry NaN), and "²",
# which str.isdigit() accepts and int() refuses.
EDGES: list[int | float | str] = [0, -1, 2**31, 2**63 - 1, 2**63, 10**30, 1e308, "nan", "inf", "-inf", "²"]


def variants(value: Any, real: Sequence[Any] = ()) -> st.SearchStrategy[Any]:
    """The generated value, or one of the real values, or (for a number) an edge value."""
    choices = [st.just(value)]
    if real:
        choices.append(st.sampled_from(list(real)))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        choices.append(st.sampled_from(EDGES))
    return st.one_of(choices)


def each_value(values: dict[str, Any] | None, real: dict[str, Sequence[Any]]) -> st.SearchStrategy[Any]:
    """A dictionary whose values each become one of their variants (anything but a dictionary stays)."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries({name: variants(value, real.get(name, ())) for name, value in values.items()})


@pytest.fixture
def token(user: User) -> str:
    """A valid API token of the organiser who runs the event."""
    return operations.create_api_token(user, "fuzz")


@pytest.fixture
def cafe(create_event) -> Event:
    """An event whose first round of four is running, with notes on two tables to vote on, a poll of each kind
    (the first launched) and questions."""
    event = create_event(rounds=4)
    operations.control_round(event, "start")
    for number in range(1, 5):
        table = event.table_by_number(1 + number % 2)
        operations.post_note(table, heading="Ideas", text=f"Idea {number}", client_id=f"fuzz-note-{number:04}")
    for kind in ("single", "multiple", "scale", "ranking", "open", "quiz"):
        operations.create_poll(event, question=f"A {kind} poll?", kind=kind,
                               options=[] if kind in ("scale", "open") else ["One", "Two", "Three"], correct=[1])
    operations.launch_activity(event, "poll", event.polls[0])
    for number in range(1, 4):
        operations.ask_question(event, f"fuzz-asker-{number}", text=f"Question {number}?", client_id=f"fuzz-q-{number:04}")
    return event


@pytest.fixture
def api_schema(app: Flask, cafe: Event, token: str) -> schemathesis.BaseSchema:
    """The API's document as the app serves it, with the hooks that put real and edge values into requests."""
    api = schemathesis.openapi.from_wsgi(OPENAPI, app, config=CONFIG)
    numbers = [table.number for table in cafe.tables]
    real: dict[str, Sequence[Any]] = {
        "code": [cafe.code, cafe.code.lower()], "number": numbers, "table": numbers,
        "seq": range(1, cafe.last_seq + 1), "heading": cafe.tables[0].heading_titles,
        "Authorization": [f"Bearer {token}"], "poll_id": [poll.id for poll in cafe.polls],
        "question_id": [q.id for q in event_questions(cafe, everything=True)], "choices": [[1], [2, 1, 3], [1, 2]],
        "poll": [poll.id for poll in cafe.polls], "activity": ["cafe", "questions", "poll"],
    }

    @api.hook
    def flatmap_path_parameters(context: schemathesis.HookContext, parameters: dict[str, Any] | None) -> st.SearchStrategy:
        return each_value(parameters, real)

    @api.hook
    def flatmap_query(context: schemathesis.HookContext, query: dict[str, Any] | None) -> st.SearchStrategy:
        return each_value(query, real)

    @api.hook
    def flatmap_headers(context: schemathesis.HookContext, headers: dict[str, Any] | None) -> st.SearchStrategy:
        return each_value(headers, real)

    @api.hook
    def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy:
        return each_value(body, real)

    @api.hook
    def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
        return str((case.path_parameters or {}).get("name")) not in PDFS

    return api


@pytest.mark.parametrize("operation_id, examples", BUDGET.items())
def test_operation_answers_as_documented(api_schema: schemathesis.BaseSchema, operation_id: str, examples: int) -> None:
    """Valid and invalid requests alike: never a 5xx, and status, content type and body as the document says."""
    operation = api_schema.find_operation_by_id(operation_id)
    cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])

    @settings(FUZZ, max_examples=examples)
    @given(cases)
    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate()

    answers_as_documented()


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/notes?after=9223372036854775808", None),
    ("DELETE", "/notes/9223372036854775808/vote", None),
    ("POST", "/notes/1/vote", {"table": "²", "device": "fuzz-device-01"}),
    ("POST", "/tables/1/notes", {"heading": "Ideas", "text": "\ud800", "client_id": "fuzz-surrogate"}),
], ids=["after-past-int64", "seq-past-int64", "table-superscript-two", "lone-surrogate"])
def test_requests_that_made_server_errors(client: Any, cafe: Event, method: str, path: str, body: dict | None) -> None:
    """Requests found while fuzzing that made server errors, kept as examples: each gets an answer, not a 500."""
    response = client.open(f"/api/v1/events/{cafe.code}{path}", method=method, json=body)
    assert response.status_code < 500 and response.is_json
