"""The hostile corpus as questions and open-text answers: stored as typed or refused clearly, inert on every face
that shows them and in every export."""
from __future__ import annotations

import csv
import io
import json

import pytest
from markupsafe import escape

from cafe import operations
from cafe.export import RENDERERS, render
from cafe.payloads import event_questions
from tests.test_hostile import CORPUS, scripts_and_handlers


@pytest.fixture
def asked(client, live_event):
    """Every corpus entry asked as a question and given as an open answer (each from its own device)."""
    poll = operations.create_poll(live_event, question="One word?", kind="open", named=True)
    operations.control_poll(poll, "open")
    outcomes = []
    for i, text in enumerate(CORPUS):
        device = f"hostile-device-{i:05d}"
        question = client.post(f"/api/v1/events/{live_event.code}/questions",
                               json={"text": text, "client_id": f"hostile-q-{i:05d}", "device": device,
                                     "author": "<i>Eve</i>"})
        answer = client.post(f"/api/v1/events/{live_event.code}/polls/{poll.id}/responses",
                             json={"text": text, "client_id": f"hostile-a-{i:05d}", "device": device,
                                   "author": "<b>Mallory</b>"})
        for response in (question, answer):
            assert response.status_code in (200, 201, 422), (text, response.status_code)
            if response.status_code == 422:
                assert response.json["error"]["message"]
        outcomes.append((text, question.status_code == 201, answer.status_code == 200))
    return poll, outcomes


def test_questions_and_answers_are_stored_as_typed_or_refused(live_event, asked):
    poll, outcomes = asked
    stored = {q.text for q in event_questions(live_event, everything=True, limit=1000)}
    answers = {r.text for r in poll.responses}
    for text, asked_ok, answered_ok in outcomes:
        assert (text.strip() in stored) == asked_ok
        assert (text.strip() in answers) == answered_ok
    assert sum(ok for _, ok, _ in outcomes) >= 100 and sum(ok for *_, ok in outcomes) >= 60


def test_every_face_shows_them_inert(client, login, live_event, asked):
    poll, outcomes = asked
    console = login()
    pages = []
    operations.launch_activity(live_event, "questions")
    pages += [client.get(f"/e/{live_event.code}").text, client.get(f"/e/{live_event.code}/questions").text,
              client.get(f"/board/{live_event.code}").text, client.get(f"/moderate/{live_event.moderator_token}").text,
              console.get(f"/console/{live_event.code}").text]
    operations.launch_activity(live_event, "poll", poll)
    pages += [client.get(f"/e/{live_event.code}").text, client.get(f"/board/{live_event.code}").text,
              client.get(f"/t/{live_event.tables[0].token}").text, console.get(f"/console/{live_event.code}/activities").text]
    for html in pages:
        scripts, handlers = scripts_and_handlers(html)
        assert all(s.get("src", "").startswith(("/vendor/", "/static/")) for s in scripts), scripts
        assert handlers == []
    markup = [t.strip() for t, ok, _ in outcomes if ok and "<" in t and ">" in t]
    assert markup
    for html in pages:
        assert not [t for t in markup if t in html]  # none reaches a page as markup
    assert any(str(escape(t)) in pages[1] for t in markup)  # the questions page shows them, as text
    assert "&lt;i&gt;Eve&lt;/i&gt;" in pages[1]


def test_every_export_keeps_the_text_inert(live_event, asked):
    poll, outcomes = asked
    operations.control_poll(poll, "close")
    for name in RENDERERS:
        assert render(name, live_event)
    data = json.loads(render("event.json", live_event))
    assert {t.strip() for t, ok, _ in outcomes if ok} <= {q["text"] for q in data["questions"]}
    assert {t.strip() for t, _, ok in outcomes if ok} <= {a["answer"] for a in data["polls"][0]["answers"]}
    for name, column in (("questions.csv", 0), ("polls.csv", 3)):
        for row in list(csv.reader(io.StringIO(render(name, live_event).decode("utf-8-sig"))))[1:]:
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
