"""Polls and questions in the write-up, read back as people's tools read them; what is held back stays out."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from cafe import operations
from cafe.export import RENDERERS, snapshot
from tests.export.test_pdf import pdf_text

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "event.schema.json").read_text())
ROLES = ["Research Software Engineer"] * 5 + ["Researcher"] * 3 + ["Manager"] * 2


@pytest.fixture
def room(live_event):
    """A keynote's room: a role poll (10 answers), a scale, a named open poll with one answer hidden, a quiz hidden
    until its reveal and never revealed, and questions: published, answered, waiting for review, hidden."""
    event = live_event
    role = operations.create_poll(event, question="What is your role?", options=["Research Software Engineer",
                                                                                 "Researcher", "Manager"])
    scale = operations.create_poll(event, question="How confident are you?", kind="scale", scale="1-5")
    words = operations.create_poll(event, question="One word?", kind="open", named=True)
    quiz = operations.create_poll(event, question="Secret quiz?", kind="quiz", options=["A", "B"], correct=[1],
                                  hide_results=True)
    for poll in (role, scale, words, quiz):
        operations.control_poll(poll, "open")
    options = [o.text for o in role.options]
    for n, choice in enumerate(ROLES):
        operations.respond_poll(role, f"device-{n:04d}", client_id=f"role-{n:04d}", choices=[options.index(choice) + 1])
        operations.respond_poll(scale, f"device-{n:04d}", client_id=f"scale-{n:04d}", value=1 + n % 5)
        operations.respond_poll(quiz, f"device-{n:04d}", client_id=f"quiz-{n:04d}", choices=[1])
    operations.respond_poll(words, "device-w1", client_id="words-0001", text="sustainable", author="Amara")
    rude, _ = operations.respond_poll(words, "device-w2", client_id="words-0002", text="=HYPERLINK(\"x\") rudeword")
    operations.moderate_answer(rude, hidden=True)
    asked = [operations.ask_question(event, f"asker-{n:04d}", text=text, client_id=f"question-{n:04d}")[0]
             for n, text in enumerate(["How do we fund RSEs?", "Who maintains it?", "Held question?", "Rude question?"])]
    for n in range(3):
        operations.upvote_question(asked[0], f"voter-{n:04d}")
    operations.moderate_question(asked[1], "answer")
    operations.moderate_question(asked[3], "hide")
    event.qa_premoderation = True
    operations.ask_question(event, "asker-late", text="Waiting for review?", client_id="question-late")
    return event


def render(event, name: str) -> bytes:
    return RENDERERS[name].render(snapshot(event))


def test_workbook_has_polls_answers_and_questions(room):
    book = load_workbook(io.BytesIO(render(room, "themes.xlsx")), read_only=True)
    polls = [row for row in book["Polls"].iter_rows(values_only=True)]
    assert polls[0] == ("Poll", "Question", "Kind", "Option", "Responses", "Share", "Mean", "Correct")
    assert (1, "What is your role?", "single", "Research Software Engineer", 5, 0.5) in [row[:6] for row in polls]
    assert any(row[2] == "scale" and row[6:7] == (3.0,) for row in polls)
    assert not any("Secret quiz" in str(row[1]) for row in polls)  # hidden until a reveal that never came
    answers = list(book["Poll answers"].iter_rows(values_only=True))
    assert ("sustainable", "Amara") in {(row[2], row[3]) for row in answers}
    assert not any("rudeword" in str(row[2]) for row in answers)
    assert all(row[3] is None for row in answers[1:] if row[1] == "What is your role?")  # anonymous poll
    questions = list(book["Questions"].iter_rows(values_only=True))
    assert [row[:3] for row in questions[1:]] == [("How do we fund RSEs?", 3, "visible"),
                                                  ("Who maintains it?", 0, "answered"), ("Held question?", 0, "visible")]


def test_blog_draft_says_what_the_room_answered(room):
    text = render(room, "blog.md").decode()
    assert "Asked *What is your role?*, 10 answered: Research Software Engineer 50 %, Researcher 30 %, Manager 20 %." in text
    assert "a mean of 3.0 on a scale of 1 to 5" in text
    tokens = MarkdownIt().parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "What the room answered" in headings and "Questions from the floor" in headings
    assert "How do we fund RSEs? (3 votes)" in text and "Who maintains it? (0 votes, answered)" in text
    for held in ("Secret quiz", "rudeword", "Rude question", "Waiting for review"):
        assert held not in text


def test_csv_files_and_open_data(room):
    polls = list(csv.reader(io.StringIO(render(room, "polls.csv").decode("utf-8-sig"))))
    assert polls[0] == ["poll", "question", "kind", "option", "responses", "share", "mean", "correct"]
    assert ["1", "What is your role?", "single", "Researcher", "3", "0.3", "", ""] in polls
    questions = list(csv.reader(io.StringIO(render(room, "questions.csv").decode("utf-8-sig"))))
    assert [row[0] for row in questions[1:]] == ["How do we fund RSEs?", "Who maintains it?", "Held question?"]
    data = json.loads(render(room, "event.json"))
    Draft202012Validator(SCHEMA, format_checker=FormatChecker()).validate(data)
    assert [p["question"] for p in data["polls"]] == ["What is your role?", "How confident are you?", "One word?"]
    assert [a["answer"] for a in data["polls"][2]["answers"]] == ["sustainable"]
    assert "rudeword" not in json.dumps(data) and "Rude question" not in json.dumps(data)


def test_summary_pdf_has_a_section_per_poll_and_the_questions(room):
    text = pdf_text(render(room, "summary.pdf"))
    assert "What the room answered" in text
    assert "What is your role?" in text and "10 answered" in text
    assert "Questions from the floor" in text and "How do we fund RSEs?" in text
    for held in ("Secret quiz", "rudeword", "Rude question", "Waiting for review"):
        assert held not in text


def test_a_reveal_publishes_the_held_poll(room):
    quiz = next(p for p in room.polls if p.kind.value == "quiz")
    operations.control_poll(quiz, "reveal")
    text = render(room, "blog.md").decode()
    assert "Asked *Secret quiz?*, 10 answered: A 100 %, B 0 %; 100 % chose a correct answer." in text
