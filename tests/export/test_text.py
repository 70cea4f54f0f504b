"""The text exports: the Markdown blog draft, the notes as CSV and the open data JSON, hostile notes included."""
from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cafe.export import text
from cafe.export.registry import RENDERERS
from cafe.export.snapshot import NoteInfo, Snapshot

from conftest import HOSTILE

BLOCKS_OF_ONE_LINE = {"paragraph_open", "paragraph_close", "inline", "text", "bullet_list_open", "bullet_list_close",
                      "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close"}
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "event.schema.json"


@pytest.fixture
def snapshot(make_snapshot: Callable[..., Snapshot]) -> Snapshot:
    """Three tables, hostile notes at table 1, one hidden note per table, two themes."""
    return make_snapshot(themes=True)


def split_post(data: bytes) -> tuple[dict[str, Any], str]:
    """A post's front matter, parsed, and its Markdown body."""
    post = data.decode("utf-8")
    assert post.startswith("---\n")
    front, body = post[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def flatten(tokens: list[Token]) -> list[Token]:
    """Block tokens and the inline tokens inside them, in document order."""
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(flatten(token.children or []))
    return out


def plain(inline: Token) -> str:
    """The text an inline token shows, markup left out."""
    return "".join(t.content for t in inline.children or [] if t.type in ("text", "text_special", "softbreak"))


def bullets_after_bold(tokens: list[Token]) -> dict[str, list[str]]:
    """For each paragraph that is only bold text: the items of the bullet list straight after it."""
    found: dict[str, list[str]] = {}
    for i, token in enumerate(tokens):
        kids = [t.type for t in token.children or [] if t.content or t.type != "text"]
        if token.type != "inline" or kids != ["strong_open", "text", "strong_close"]:
            continue
        assert tokens[i - 1].type == "paragraph_open" and tokens[i + 1].type == "paragraph_close"
        assert tokens[i + 2].type == "bullet_list_open", f"no bullet list after {token.content}"
        items, j = [], i + 3
        while tokens[j].type != "bullet_list_close":
            if tokens[j].type == "inline":
                items.append(plain(tokens[j]))
            j += 1
        found[plain(token)] = items
    return found


# Markdown

def test_renderers_registered() -> None:
    assert {n: (RENDERERS[n].mimetype, RENDERERS[n].title) for n in ("blog.md", "notes.csv", "event.json")} == {
        "blog.md": ("text/markdown; charset=utf-8", "Markdown blog draft"),
        "notes.csv": ("text/csv; charset=utf-8", "Notes as CSV"),
        "event.json": ("application/json", "Open data (JSON)"),
    }


def test_front_matter_is_yaml(snapshot: Snapshot) -> None:
    front, _ = split_post(RENDERERS["blog.md"].render(snapshot))
    assert front["title"] == "RSE Community Day: World Café"
    assert front["date"] == date(2026, 6, 18)
    assert front["tags"] == ["world café", "Theme 1", "Theme 2", "Theme 3"]
    assert front["summary"] == f"42 participants, 3 tables, 2 rounds, {len(snapshot.visible_notes)} notes."


@pytest.mark.parametrize("name", ["x\n---\ntitle: injected", "'; \"quoted\": yes # not a comment", "- a list?"])
def test_front_matter_holds_any_event_name(snapshot: Snapshot, name: str) -> None:
    hostile = replace(snapshot, event=replace(snapshot.event, name=name))
    front, body = split_post(RENDERERS["blog.md"].render(hostile))
    assert front["title"] == name
    assert body.lstrip().startswith("Seven themed tables.")


def test_opening_paragraph_has_the_counts(snapshot: Snapshot) -> None:
    _, body = split_post(RENDERERS["blog.md"].render(snapshot))
    assert (f"On 18 June 2026 at Weston Hall, 42 participants met at 3 tables over 2 rounds and wrote "
            f"{len(snapshot.visible_notes)} notes.") in body


def test_each_table_is_a_bold_theme_then_a_bullet_per_heading(snapshot: Snapshot) -> None:
    _, body = split_post(RENDERERS["blog.md"].render(snapshot))
    sections = bullets_after_bold(MarkdownIt("commonmark").parse(body))
    assert list(sections) == [t.theme for t in snapshot.tables]
    for table in snapshot.tables:
        items = sections[table.theme]
        assert [i.split(":", 1)[0] for i in items] == list(table.headings)


def test_points_are_most_voted_first_and_capped(make_snapshot: Callable[..., Snapshot]) -> None:
    snapshot = make_snapshot(tables=1, rounds=2, per_heading=6, hostile=False)
    _, body = split_post(RENDERERS["blog.md"].render(snapshot))
    items = bullets_after_bold(MarkdownIt("commonmark").parse(body))["Theme 1"]
    notes = snapshot.notes_under(1, "Blockers")
    assert items[0] == "Blockers: " + ", ".join(n.text for n in notes[:8]) + f" and {len(notes) - 8} more"


def test_a_theme_stands_where_its_most_voted_note_would(snapshot: Snapshot) -> None:
    _, body = split_post(RENDERERS["blog.md"].render(snapshot))
    sections = bullets_after_bold(MarkdownIt("commonmark").parse(body))
    for table, theme in ((1, "Time for training"), (2, "Funding gaps")):
        notes = snapshot.notes_under(table, "Blockers")  # most-voted first
        points = list(dict.fromkeys(n.theme or n.text for n in notes))
        assert theme in points and sections[f"Theme {table}"][0] == "Blockers: " + ", ".join(points)


def test_a_theme_with_fewer_votes_follows_a_note_with_more(make_snapshot: Callable[..., Snapshot]) -> None:
    base = make_snapshot(tables=1, rounds=1, per_heading=3, hostile=False)
    blockers = [n for n in base.notes if n.heading == "Blockers" and n.visible]
    changes = {blockers[0].id: ("Six votes", 6, None), blockers[1].id: ("Two votes", 2, "Funding"),
               blockers[2].id: ("One vote", 1, None)}
    notes = tuple(replace(n, text=changes[n.id][0], votes=changes[n.id][1], theme=changes[n.id][2])
                  if n.id in changes else n for n in base.notes)
    _, body = split_post(RENDERERS["blog.md"].render(replace(base, notes=notes)))
    assert "- Blockers: Six votes, Funding, One vote\n" in body


def test_a_comma_inside_a_point_is_quoted(make_snapshot: Callable[..., Snapshot]) -> None:
    base = make_snapshot(tables=1, rounds=1, per_heading=1, hostile=False)
    notes = tuple(replace(n, text="time, money") if n.heading == "Blockers" and n.visible else n for n in base.notes)
    _, body = split_post(RENDERERS["blog.md"].render(replace(base, notes=notes)))
    assert "- Blockers: “time, money”\n" in body


def test_most_voted_notes(snapshot: Snapshot) -> None:
    _, body = split_post(RENDERERS["blog.md"].render(snapshot))
    tokens = MarkdownIt("commonmark").parse(body)
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Most-voted notes")
    items = [plain(t) for t in tokens[start:] if t.type == "inline"][1:]
    top = sorted(snapshot.visible_notes, key=lambda n: (-n.votes, n.seq))[:10]
    assert items == [f"{n.text} (Theme {n.table}, {n.votes} vote{'s' if n.votes != 1 else ''})" for n in top]


def test_hostile_notes_are_inert_in_the_post(make_snapshot: Callable[..., Snapshot]) -> None:
    base = make_snapshot(tables=1, per_heading=0)
    # Votes put every hostile note into the most-voted list, which shows notes in full.
    voted = replace(base, notes=tuple(replace(n, votes=100 - n.seq) for n in base.notes))
    _, body = split_post(RENDERERS["blog.md"].render(voted))
    tokens = flatten(MarkdownIt("commonmark").parse(body))
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "code_inline", "fence", "code_block",
                        "em_open", "table_open", "hr"}
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h2", "h2"]
    assert sum(t.type == "strong_open" for t in tokens) == 1, "only the table's theme is bold"
    assert "{{" not in body and "{%" not in body, "no template tags for Jekyll or Hugo"
    shown = "\n".join(plain(t) for t in tokens if t.type == "inline")
    for note in HOSTILE[:10]:
        assert " ".join(note.split()) in shown, note


@pytest.mark.parametrize("note", HOSTILE + [
    "line one\nline two\r\n  three", "see www.evil.example or a@b.example", "<!-- comment -->", "a\\",
    "~~struck~~ $x$", "- a list", "+ a list", "1. a list", "12) a list", "---", "===", "> quote", "    code",
])
def test_md_escape_shows_text_as_written(note: str) -> None:
    for line in (text.md_escape(note), "- Heading: " + text.md_escape(note), "1. " + text.md_escape(note)):
        tokens = flatten(MarkdownIt("commonmark").parse(line))
        inline = [t for t in tokens if t.type == "inline"]
        assert len(inline) == 1 and [t.type for t in inline[0].children or []] == ["text"], line
        assert {t.type for t in tokens} <= BLOCKS_OF_ONE_LINE, line
        assert plain(inline[0]).removeprefix("Heading: ") == " ".join(note.split())


def test_hidden_notes_absent_everywhere(snapshot: Snapshot) -> None:
    for name in ("blog.md", "notes.csv", "event.json"):
        assert b"HIDDEN" not in RENDERERS[name].render(snapshot), name


# CSV

def read_csv(data: bytes) -> list[dict[str, str]]:
    """The CSV's rows by column name."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def guarded(value: str | None) -> str:
    """What a text cell should hold: the text, with an apostrophe before a formula sign."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value else value


def test_csv_is_utf8_with_a_byte_order_mark(snapshot: Snapshot) -> None:
    data = RENDERERS["notes.csv"].render(snapshot)
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(text.CSV_COLUMNS)
    assert "数据共享".encode() in data


def test_csv_round_trips_visible_notes(snapshot: Snapshot) -> None:
    rows = read_csv(RENDERERS["notes.csv"].render(snapshot))
    visible = snapshot.visible_notes
    assert len(rows) == len(visible)
    for row, note in zip(rows, visible):
        assert row == {
            "seq": str(note.seq), "table": str(note.table), "table_theme": f"Theme {note.table}",
            "round": str(note.round), "heading": guarded(note.heading), "note": guarded(note.text),
            "author": guarded(note.author), "votes": str(note.votes), "theme": guarded(note.theme),
            "created_at": note.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        assert datetime.fromisoformat(row["created_at"]) == note.created_at


def test_csv_guards_formula_cells(snapshot: Snapshot) -> None:
    notes = {row["note"] for row in read_csv(RENDERERS["notes.csv"].render(snapshot))}
    for formula in ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)"):
        assert "'" + formula in notes and formula not in notes
    assert "'; DROP TABLE notes; --" in notes, "text that merely starts with an apostrophe is left alone"


def test_csv_keeps_line_breaks_inside_a_note(make_snapshot: Callable[..., Snapshot]) -> None:
    base = make_snapshot(tables=1, rounds=1, per_heading=1, hostile=False)
    first = next(n for n in base.notes if n.visible)
    notes = tuple(replace(n, text="two,\n\"lines\"") if n is first else n for n in base.notes)
    rows = read_csv(RENDERERS["notes.csv"].render(replace(base, notes=notes)))
    assert rows[0]["note"] == "two,\n\"lines\""


# JSON

@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """A validator for the published schema, checking formats too."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_json_validates_against_the_schema(snapshot: Snapshot, validator: Draft202012Validator) -> None:
    data = json.loads(RENDERERS["event.json"].render(snapshot))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    assert data["schema"] == text.SCHEMA == validator.schema["properties"]["schema"]["const"]


def test_json_validates_with_empty_and_missing_parts(make_snapshot: Callable[..., Snapshot],
                                                     validator: Draft202012Validator) -> None:
    base = make_snapshot(tables=1, rounds=1, per_heading=0, hostile=False)
    bare = replace(base, event=replace(base.event, date=None),
                   rounds=tuple(replace(r, started_at=None, ended_at=None, state="pending") for r in base.rounds),
                   notes=(NoteInfo(id=1, seq=1, table=1, round=None, heading=None, text="", author=None, votes=0,
                                   state="visible", created_at=base.generated_at),))
    validator.validate(json.loads(RENDERERS["event.json"].render(bare)))


def test_schema_rejects_what_it_does_not_describe(snapshot: Snapshot, validator: Draft202012Validator) -> None:
    data = json.loads(RENDERERS["event.json"].render(snapshot))
    assert not validator.is_valid({**data, "extra": 1})
    assert not validator.is_valid({**data, "generated_at": "18 June 2026"})
    data["notes"][0]["state"] = "hidden"
    assert not validator.is_valid(data)


def test_json_round_trips_the_snapshot(snapshot: Snapshot) -> None:
    data = json.loads(RENDERERS["event.json"].render(snapshot))
    visible = snapshot.visible_notes
    assert [n["text"] for n in data["notes"]] == [n.text for n in visible]
    assert [(n["id"], n["author"], n["votes"], n["theme"]) for n in data["notes"]] == [
        (n.id, n.author, n.votes, n.theme) for n in visible]
    assert all(datetime.fromisoformat(n["created_at"]) == v.created_at for n, v in zip(data["notes"], visible))
    assert data["event"]["date"] == "2026-06-18"
    assert [t["headings"] for t in data["tables"]] == [list(t.headings) for t in snapshot.tables]
    assert data["figures"]["notes"] == len(visible)
    assert data["figures"]["notes_per_table"] == {str(k): v for k, v in snapshot.figures.notes_per_table.items()}
    assert [t["name"] for t in data["themes"]] == [t.name for t in snapshot.themes]


def test_json_themes_name_only_visible_notes(snapshot: Snapshot) -> None:
    hidden = next(n.id for n in snapshot.notes if not n.visible)
    themes = (replace(snapshot.themes[0], note_ids=(*snapshot.themes[0].note_ids, hidden)), *snapshot.themes[1:])
    data = json.loads(RENDERERS["event.json"].render(replace(snapshot, themes=themes)))
    visible_ids = {n["id"] for n in data["notes"]}
    assert all(set(t["note_ids"]) <= visible_ids for t in data["themes"])
    assert hidden not in data["themes"][0]["note_ids"]


def test_the_plan_csv_guards_names_that_look_like_formulas() -> None:
    from cafe.export.plan import plan_csv

    rows = list(csv.reader(io.StringIO(plan_csv(["=HYPERLINK(\"http://x\")", "Ana"], [[1, 2], [2, None]], 2))))
    assert rows == [["name", "round 1", "round 2"], ["'=HYPERLINK(\"http://x\")", "1", "2"], ["Ana", "2", ""]]


def test_a_table_or_heading_without_notes_gets_no_empty_bullets(make_snapshot: Callable[..., Snapshot]) -> None:
    base = make_snapshot(tables=2, rounds=1, per_heading=1, hostile=False)
    notes = tuple(n for n in base.notes if n.table == 1 and n.heading == "Blockers")
    _, body = split_post(RENDERERS["blog.md"].render(replace(base, notes=notes)))
    sections = body.split("**Theme 2**")
    assert "- Blockers: " in sections[0] and "Needed support" not in sections[0] and "no notes" not in body
    assert sections[1].strip().startswith("No notes were published at this table.")
