"""Pure: the text exports: a Markdown blog draft, the notes as CSV and the whole event as open data (JSON).

Markdown: backslash escapes cover \\ ` * _ [ ] # | $; a leading - + = and the . or ) after leading digits, so
text that opens a line cannot start a list, heading or rule; and "." and ":" when a non-space follows, which
breaks bare-link detection of "http://..." and "www.example.org" without a backslash after every sentence.
Characters that some Markdown dialects cannot backslash-escape, or that template engines read before Markdown
does, become numeric character references: < > & (no raw HTML), { } (Jekyll's Liquid, Hugo's shortcodes), ~ and
@ (strikethrough, e-mail autolinks). Line breaks and runs of spaces become one space. In a bullet the points are
separated by ", "; a point that itself holds a comma is wrapped in curly quotes (“like, this”) so the separator
stays clear.

CSV: UTF-8 with a byte order mark, so Excel detects the encoding when the file is opened by double-click; comma
separated, CRLF line ends, quoted where needed (RFC 4180). A text cell that starts with = + - @, a tab or a
carriage return gets a leading apostrophe, so no spreadsheet runs it as a formula.

JSON: described by docs/event.schema.json; the "schema" key names its version.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Any, Callable

import yaml

from cafe.export.registry import register
from cafe.export.snapshot import NoteInfo, PollInfo, Snapshot, TableInfo
from cafe.polls import percent

SCHEMA = "cafe-event/1"
POINTS_PER_BULLET = 8
TOP_NOTES = 10
CSV_COLUMNS = ("seq", "table", "table_theme", "round", "heading", "note", "author", "votes", "theme", "created_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BACKSLASHED = set("\\`*_[]#|$")
_REFERENCES = {c: f"&#{ord(c)};" for c in "<>&{}~@"}
_LINE_START = re.compile(r"[-+=]|[0-9]+[.)]")


def iso(moment: datetime) -> str:
    """An instant as ISO 8601 in UTC to the second, e.g. 2026-06-18T09:30:00Z; a naive instant is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def md_escape(text: str) -> str:
    """User text made inert inside a Markdown line: no markup, no HTML, no links, no template tags."""
    flat = " ".join("".join(c for c in text if unicodedata.category(c) != "Cc" or c.isspace()).split())
    out = []
    for i, c in enumerate(flat):
        if c in _REFERENCES:
            out.append(_REFERENCES[c])
        elif c in _BACKSLASHED or (c in ".:" and i + 1 < len(flat) and flat[i + 1] != " "):
            out.append("\\" + c)
        else:
            out.append(c)
    # Text that opens a line (a list item's, a paragraph's) must not start a list, heading or rule either.
    start = _LINE_START.match(flat)
    if start and out[start.end() - 1] == flat[start.end() - 1]:
        out[start.end() - 1] = "\\" + flat[start.end() - 1]
    return "".join(out)


def _plural(count: int, word: str) -> str:
    """"1 note", "2 notes"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _theme_of(table: TableInfo | None, number: int) -> str:
    """A table's theme, or "Table N" when it has none."""
    return table.theme.strip() if table and table.theme.strip() else f"Table {number}"


def _point(text: str) -> str:
    """One point of a bullet, quoted when its own comma could be taken for the separator."""
    escaped = md_escape(text)
    return f"“{escaped}”" if "," in escaped else escaped


def _points(notes: list[NoteInfo]) -> str:
    """A heading's main points, most-voted first, capped: a note without a theme by its words, a theme by its name
    where its most-voted note would stand (as in the PDF summary)."""
    found: dict[tuple[str, object], str] = {}
    for note in sorted(notes, key=lambda n: (-n.votes, n.seq)):
        if note.theme:
            found.setdefault(("theme", note.theme), note.theme)
        elif note.text.strip():
            found[("note", note.seq)] = note.text
    points = list(found.values())
    if not points:
        return "no notes"
    shown = ", ".join(_point(p) for p in points[:POINTS_PER_BULLET])
    more = len(points) - POINTS_PER_BULLET
    return f"{shown} and {more} more" if more > 0 else shown


def _front_matter(snapshot: Snapshot) -> str:
    """YAML front matter for Jekyll or Hugo, dumped safely so no value can break out of it."""
    figures = snapshot.figures
    tags = list(dict.fromkeys(["world café", *(t.theme.strip() for t in snapshot.tables if t.theme.strip())]))
    data = {
        "title": snapshot.event.name,
        "date": snapshot.event.date or snapshot.generated_at.date(),
        "tags": tags,
        "summary": f"{_plural(figures.participants, 'participant')}, {_plural(figures.tables, 'table')}, "
                   f"{_plural(figures.rounds, 'round')}, {_plural(figures.notes, 'note')}.",
    }
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def _opening(snapshot: Snapshot) -> list[str]:
    """The description and one paragraph with the counts."""
    event, figures = snapshot.event, snapshot.figures
    when: date = event.date or snapshot.generated_at.date()
    where = f" at {md_escape(event.venue)}" if event.venue.strip() else ""
    lines = [md_escape(event.description), ""] if event.description.strip() else []
    lines += [f"On {when.day} {when:%B %Y}{where}, {_plural(figures.participants, 'participant')} met at "
              f"{_plural(figures.tables, 'table')} over {_plural(figures.rounds, 'round')} and wrote "
              f"{_plural(figures.notes, 'note')}.", ""]
    return lines


def _tables(snapshot: Snapshot, notes: list[NoteInfo]) -> list[str]:
    """Per table: its theme in bold, then a bullet per heading that has notes, with that heading's points."""
    by_place: dict[tuple[int, str | None], list[NoteInfo]] = defaultdict(list)
    for note in notes:
        by_place[(note.table, note.heading)].append(note)
    lines = ["## What the tables said", ""]
    for table in snapshot.tables:
        lines += [f"**{md_escape(_theme_of(table, table.number))}**", ""]
        bullets = [f"- {md_escape(heading)}: {_points(by_place[(table.number, heading)])}"
                   for heading in table.headings if by_place[(table.number, heading)]]
        other = [n for (number, heading), found in by_place.items()
                 if number == table.number and heading not in table.headings for n in found]
        if other:
            bullets.append(f"- Other: {_points(other)}")
        lines += [*(bullets or ["No notes were published at this table."]), ""]
    return lines


def _top_notes(snapshot: Snapshot, notes: list[NoteInfo]) -> list[str]:
    """The event's most-voted notes with their table's theme."""
    tables = {t.number: t for t in snapshot.tables}
    top = sorted((n for n in notes if n.votes > 0), key=lambda n: (-n.votes, n.seq))[:TOP_NOTES]
    lines = ["## Most-voted notes", ""]
    if not top:
        return lines + ["No note received a vote.", ""]
    for rank, note in enumerate(top, 1):
        theme = md_escape(_theme_of(tables.get(note.table), note.table))
        lines.append(f"{rank}. {md_escape(note.text)} ({theme}, {_plural(note.votes, 'vote')})")
    return lines + [""]


def poll_sentence(poll: PollInfo, escape: Callable[[str], str] = md_escape, em: str = "*") -> str:
    """What the room answered, in one sentence: "Asked *What is your role?*, 38 answered: RSE 45 %, ..." (as
    Markdown, or as plain text with escape=str and em="")."""
    results = poll.results
    head = f"Asked {em}{escape(poll.question)}{em}, {results.responses} answered"
    if not results.responses:
        return head + "."
    if results.kind == "scale":
        spread = ", ".join(f"{value}: {count}" for value, count in results.distribution)
        return f"{head}: a mean of {results.mean:.1f} on a scale of {results.distribution[0][0]} to " \
               f"{results.distribution[-1][0]} ({spread})."
    if results.kind == "open":
        return f"{head}; the words said most: " + ", ".join(f"{escape(w)} ({c})" for w, c in results.words[:8]) + "."
    if results.kind == "ranking":
        return f"{head}, ranking: " + ", ".join(f"{escape(o.text)} ({o.points} points)" for o in results.ranked()) + "."
    shares = ", ".join(f"{escape(o.text)} {percent(o.share)}" for o in results.ranked())
    right = f"; {percent(results.correct_share or 0)} chose a correct answer" if results.kind == "quiz" else ""
    return f"{head}: {shares}{right}."


def _polls(snapshot: Snapshot) -> list[str]:
    """A short paragraph per poll: what was asked and what the room answered."""
    if not snapshot.polls:
        return []
    return ["## What the room answered", "", *(line for poll in snapshot.polls for line in (poll_sentence(poll), ""))]


def _questions(snapshot: Snapshot) -> list[str]:
    """The most-voted questions from the floor."""
    if not snapshot.questions:
        return []
    lines = ["## Questions from the floor", ""]
    for q in snapshot.questions[:TOP_NOTES]:
        answered = ", answered" if q.state == "answered" else ""
        lines.append(f"- {md_escape(q.text)} ({_plural(q.votes, 'vote')}{answered})")
    return lines + [""]


@register("blog.md", "text/markdown; charset=utf-8", "Markdown blog draft")
def render_markdown(snapshot: Snapshot) -> bytes:
    """A blog post draft: front matter, the counts, each table's points by heading and the most-voted notes."""
    notes = snapshot.visible_notes
    lines = _opening(snapshot) + _polls(snapshot) + _questions(snapshot) + _tables(snapshot, notes) + _top_notes(snapshot, notes)
    return (_front_matter(snapshot) + "\n" + "\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


def csv_guard(value: Any) -> Any:
    """A cell value that no spreadsheet will run as a formula: text starting with a formula sign gets an apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


@register("notes.csv", "text/csv; charset=utf-8", "Notes as CSV")
def render_csv(snapshot: Snapshot) -> bytes:
    """One row per visible note, in posting order, with the columns in CSV_COLUMNS."""
    themes = {t.number: t.theme for t in snapshot.tables}
    return _csv(CSV_COLUMNS, ((n.seq, n.table, themes.get(n.table, ""), n.round, n.heading, n.text, n.author, n.votes,
                               n.theme, iso(n.created_at)) for n in snapshot.visible_notes))


def _csv(header: tuple[str, ...], rows: Any) -> bytes:
    """Rows as CSV with a header, guarded against formulas, with a byte order mark for spreadsheets."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_guard(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def poll_rows(poll: PollInfo) -> list[tuple[Any, ...]]:
    """A poll's results as rows: per option (count, share, Borda points, correct), per scale value, per word."""
    r = poll.results
    if r.kind == "scale":
        return [(poll.position, poll.question, r.kind, value, count, round(count / r.responses, 4) if r.responses else 0,
                 r.mean, None) for value, count in r.distribution]
    if r.kind == "open":
        return [(poll.position, poll.question, r.kind, word, count, None, None, None) for word, count in r.words]
    return [(poll.position, poll.question, r.kind, o.text, o.points if r.kind == "ranking" else o.count, o.share, None,
             o.correct) for o in r.options]


POLL_COLUMNS = ("poll", "question", "kind", "option", "responses", "share", "mean", "correct")


@register("polls.csv", "text/csv; charset=utf-8", "Poll results as CSV")
def render_polls_csv(snapshot: Snapshot) -> bytes:
    """One row per option of each published poll (a ranking's responses are its Borda points)."""
    return _csv(POLL_COLUMNS, (row for poll in snapshot.polls for row in poll_rows(poll)))


@register("questions.csv", "text/csv; charset=utf-8", "Questions as CSV")
def render_questions_csv(snapshot: Snapshot) -> bytes:
    """One row per published question, most-voted first."""
    return _csv(("question", "author", "votes", "state", "asked_at", "answered_at"),
                ((q.text, q.author, q.votes, q.state, iso(q.asked_at), iso(q.answered_at) if q.answered_at else None)
                 for q in snapshot.questions))


def _event_data(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as plain JSON values, hidden notes and their ids left out."""
    event, figures = snapshot.event, snapshot.figures
    notes = snapshot.visible_notes
    visible_ids = {n.id for n in notes}
    return {
        "schema": SCHEMA,
        "generated_at": iso(snapshot.generated_at),
        "event": {"code": event.code, "name": event.name, "date": event.date.isoformat() if event.date else None,
                  "venue": event.venue, "description": event.description, "status": event.status,
                  "public_url": event.public_url, "join_url": event.join_url},
        "tables": [{"number": t.number, "theme": t.theme, "host": t.host, "question": t.question,
                    "capacity": t.capacity, "headings": list(t.headings)}
                   for t in snapshot.tables],
        "rounds": [{"index": r.index, "minutes": r.minutes, "question": r.question, "state": r.state,
                    "started_at": iso(r.started_at) if r.started_at else None,
                    "ended_at": iso(r.ended_at) if r.ended_at else None} for r in snapshot.rounds],
        "notes": [{"id": n.id, "seq": n.seq, "table": n.table, "round": n.round, "heading": n.heading,
                   "text": n.text, "author": n.author, "votes": n.votes, "theme": n.theme,
                   "created_at": iso(n.created_at)} for n in notes],
        "themes": [{"name": t.name, "table": t.table, "heading": t.heading,
                    "note_ids": [i for i in t.note_ids if i in visible_ids]} for t in snapshot.themes],
        "polls": [{"position": p.position, "question": p.question, "kind": p.kind, "state": p.state,
                   "results": p.results.as_dict(),
                   "answers": [{"answer": a.answer, "author": a.author, "at": iso(a.at)} for a in p.answers]}
                  for p in snapshot.polls],
        "questions": [{"text": q.text, "author": q.author, "votes": q.votes, "state": q.state, "asked_at": iso(q.asked_at),
                       "answered_at": iso(q.answered_at) if q.answered_at else None} for q in snapshot.questions],
        "figures": {"participants": figures.participants, "tables": figures.tables, "rounds": figures.rounds,
                    "notes": figures.notes, "hidden": figures.hidden, "votes": figures.votes,
                    "authors": figures.authors,
                    # JSON object keys are strings, so table and round numbers appear as "1", "2" ...
                    "notes_per_table": {str(k): v for k, v in figures.notes_per_table.items()},
                    "notes_per_round": {str(k): v for k, v in figures.notes_per_round.items()}},
    }


@register("event.json", "application/json", "Open data (JSON)")
def render_json(snapshot: Snapshot) -> bytes:
    """The whole event as open data: event, tables, rounds, visible notes, themes and figures."""
    return (json.dumps(_event_data(snapshot), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
