"""Pure: an event's setup as plain data, its validation, and its CSV and YAML forms."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import MISSING, asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from cafe.errors import CafeError
from cafe.polls import Shape, check_shape

SETUP_VERSION = 1
PARTICIPANT_COLUMNS = ("name", "organisation", "role", "email", "host_of_table", "does_not_move", "choices")
COLUMN_ALIASES = {"organization": "organisation", "host": "host_of_table", "host_of": "host_of_table",
                  "stays": "does_not_move", "does_not_move_tables": "does_not_move"}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
LIMITS = {"tables": 200, "rounds": 20, "participants": 5000, "headings": 8, "polls": 50}
# Control characters other than tab and line breaks (PostgreSQL refuses NUL), and lone surrogates, which a
# YAML escape such as "\ud800" makes and which cannot be stored as UTF-8.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class SetupError(CafeError):
    """Setup input that cannot be stored; carries one human message per problem."""


@dataclass
class EventSpec:
    """The event's own fields."""

    name: str
    date: date | None = None
    venue: str = ""
    description: str = ""


@dataclass
class TableSpec:
    """A table's fields, with its headings in order."""

    number: int
    theme: str
    host: str = ""
    question: str = ""
    capacity: int = 8
    headings: list[str] = field(default_factory=list)


@dataclass
class RoundSpec:
    """A round's fields; its index is its place in the list."""

    minutes: int = 20
    question: str = ""
    buffer_seconds: int = 60


@dataclass
class ParticipantSpec:
    """A participant's fields, with the number of the table they host, if any."""

    name: str
    organisation: str = ""
    role: str = ""
    email: str | None = None
    host_of_table: int | None = None
    does_not_move: bool = False
    choices: str = ""


@dataclass
class PollSpec:
    """A poll prepared before the day: its question, kind, options in order and how it is answered."""

    question: str
    kind: str = "single"
    options: list[str] = field(default_factory=list)
    max_choices: int | None = None
    scale: str = "1-5"
    low_label: str = ""
    high_label: str = ""
    correct: list[int] = field(default_factory=list)  # quiz: the correct options' numbers, 1 for the first
    hide_results: bool = False
    named: bool = False


@dataclass
class Setup:
    """Everything needed to run a café again: event, tables, rounds, participants, polls."""

    event: EventSpec
    tables: list[TableSpec] = field(default_factory=list)
    rounds: list[RoundSpec] = field(default_factory=list)
    participants: list[ParticipantSpec] = field(default_factory=list)
    polls: list[PollSpec] = field(default_factory=list)


def _scalar(value: Any, label: str, errors: list[str]) -> str | None:
    """A single value as text, or None with a message for a list or mapping (from YAML).

    Never str() a list or mapping: YAML aliases can nest a small file into one that takes without end to write out.
    """
    if value is None or isinstance(value, (str, int, float)):
        return "" if value is None else str(value)
    errors.append(f"{label} must be a single value, not a {'list' if isinstance(value, list) else 'mapping'}.")
    return None


def _text(value: Any, label: str, limit: int, errors: list[str], *, required: bool = False) -> str:
    """Trimmed text, recording a message when it is missing, too long, not text or holds unprintable characters."""
    text = _scalar(value, label, errors)
    if text is None:
        return ""
    text = text.strip()
    if UNPRINTABLE.search(text):
        errors.append(f"{label} holds a control character or a broken one; type it again as plain text.")
    elif required and not text:
        errors.append(f"{label} must not be empty.")
    elif len(text) > limit:
        errors.append(f"{label} is {len(text)} characters long; the limit is {limit}.")
    return text


def _whole(value: Any, label: str, low: int, high: int, errors: list[str]) -> int:
    """A whole number within bounds, recording a message otherwise."""
    text = _scalar(value, label, errors)
    if text is None:
        return low
    try:
        number = int(text.strip())
    except (TypeError, ValueError):
        errors.append(f"{label} must be a whole number, not {text[:40]!r}.")
        return low
    if not low <= number <= high:
        errors.append(f"{label} must be between {low} and {high}, not {number}.")
    return number


def _table_number(word: str) -> int | None:
    """A word as a table number, or None (isdigit() alone also accepts "²", which int() refuses)."""
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 6 else None


def check_event(spec: EventSpec) -> list[str]:
    """Problems with an event's fields, as messages."""
    errors: list[str] = []
    spec.name = _text(spec.name, "The event name", 200, errors, required=True)
    spec.venue = _text(spec.venue, "The venue", 200, errors)
    spec.description = _text(spec.description, "The description", 5000, errors)
    return errors


def check_table(spec: TableSpec) -> list[str]:
    """Problems with a table's fields and headings, as messages."""
    errors: list[str] = []
    spec.number = _whole(spec.number, "The table number", 1, 999, errors)
    label = f"Table {spec.number}"
    spec.theme = _text(spec.theme, f"{label}: the theme", 120, errors, required=True)
    spec.host = _text(spec.host, f"{label}: the host's name", 120, errors)
    spec.question = _text(spec.question, f"{label}: the question", 1000, errors)
    spec.capacity = _whole(spec.capacity, f"{label}: the capacity", 1, 100, errors)
    headings = [_text(h, f"{label}: a heading", 80, errors) for h in spec.headings or []]
    spec.headings = [h for h in headings if h]
    if not spec.headings:
        errors.append(f"{label} needs at least one heading.")
    if len(spec.headings) > LIMITS["headings"]:
        errors.append(f"{label} has {len(spec.headings)} headings; the limit is {LIMITS['headings']}.")
    seen = {h.casefold() for h in spec.headings}
    if len(seen) < len(spec.headings):
        errors.append(f"{label} lists a heading twice.")
    return errors


def check_round(spec: RoundSpec, index: int) -> list[str]:
    """Problems with a round's fields, as messages."""
    errors: list[str] = []
    spec.minutes = _whole(spec.minutes, f"Round {index}: the minutes", 1, 240, errors)
    spec.buffer_seconds = _whole(spec.buffer_seconds, f"Round {index}: the switching buffer", 0, 900, errors)
    spec.question = _text(spec.question, f"Round {index}: the question", 1000, errors)
    return errors


def check_participant(spec: ParticipantSpec, label: str, table_numbers: set[int]) -> list[str]:
    """Problems with a participant's fields, as messages."""
    errors: list[str] = []
    spec.name = _text(spec.name, f"{label}: the name", 120, errors, required=True)
    spec.organisation = _text(spec.organisation, f"{label}: the organisation", 200, errors)
    spec.role = _text(spec.role, f"{label}: the role", 120, errors)
    email = _text(spec.email, f"{label}: the email", 254, errors)
    if email and ("@" not in email or " " in email):
        errors.append(f"{label}: {email!r} is not an email address.")
    spec.email = email or None
    if spec.host_of_table not in (None, ""):
        spec.host_of_table = _whole(spec.host_of_table, f"{label}: host of table", 1, 999, errors)
        if spec.host_of_table not in table_numbers:
            errors.append(f"{label}: there is no table {spec.host_of_table} to host.")
    else:
        spec.host_of_table = None
    if not isinstance(spec.does_not_move, bool):
        flag = _scalar(spec.does_not_move, f"{label}: does_not_move", errors)
        spec.does_not_move = flag is not None and _flag(flag, f"{label}: does_not_move", errors)
    words = _text(spec.choices, f"{label}: the choices", 4000, errors).replace(",", " ").replace(";", " ").split()
    if any(_table_number(w) not in table_numbers for w in words):
        errors.append(f"{label}: choices must be table numbers of this event, like '3 5 1', not {' '.join(words)[:80]!r}.")
    spec.choices = " ".join(words)
    return errors


def scale_ends(scale: object) -> tuple[int, int] | None:
    """A rating scale's ends from "1-5" or "0-10" (or a pair); None when it is no such text."""
    if isinstance(scale, (list, tuple)) and len(scale) == 2:
        scale = f"{scale[0]}-{scale[1]}"
    low, _, high = str(scale or "1-5").partition("-")
    return (int(low), int(high)) if low.strip().isdigit() and high.strip().isdigit() and len(str(scale)) < 8 else None


def check_poll(spec: PollSpec, label: str = "The poll") -> list[str]:
    """Problems with a poll's setup, each naming the poll."""
    errors: list[str] = []
    _text(spec.question, f"{label}'s question", 280, errors, required=True)
    texts = [str(o).strip() for o in spec.options] if isinstance(spec.options, list) else None
    if texts is None or not all(isinstance(o, str) for o in spec.options):
        return errors + [f"{label}'s options must be a list of texts."]
    if not isinstance(spec.correct, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in spec.correct):
        return errors + [f"{label}'s correct options must be a list of option numbers (1 for the first)."]
    for name, value in (("low_label", spec.low_label), ("high_label", spec.high_label)):
        _text(value, f"{label}'s {name.replace('_', ' ')}", 60, errors)
    if any(UNPRINTABLE.search(t) for t in texts):
        errors.append(f"{label} holds control characters.")
    ends = scale_ends(spec.scale) if spec.kind == "scale" else (1, 5)
    if ends is None:
        return errors + [f"{label}: a rating scale runs from 1 to 5 or from 0 to 10 (write 1-5 or 0-10)."]
    most = spec.max_choices
    if most is not None and (not isinstance(most, int) or isinstance(most, bool)):
        return errors + [f"{label}: the most choices a person may pick must be a whole number."]
    if most is None:
        most = len(texts) if spec.kind == "multiple" else 1
    shape = Shape(str(spec.kind), len(texts), most, *ends)
    marks = [i + 1 in spec.correct for i in range(len(texts))]
    return errors + [f"{label}: {problem}" for problem in check_shape(shape, texts, marks)]


def check_setup(setup: Setup) -> None:
    """Raise SetupError listing every problem of a whole setup."""
    errors = check_event(setup.event)
    for index, poll in enumerate(setup.polls, start=1):
        errors += check_poll(poll, f"Poll {index}")
    for name in ("tables", "rounds", "participants", "polls"):
        if len(getattr(setup, name)) > LIMITS[name]:
            errors.append(f"The setup has {len(getattr(setup, name))} {name}; the limit is {LIMITS[name]}.")
    for table in setup.tables:
        errors += check_table(table)
    numbers = [t.number for t in setup.tables]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        errors.append(f"Table number {number} is used twice.")
    for index, spec in enumerate(setup.rounds, start=1):
        errors += check_round(spec, index)
    labels = [f"Participant {i}" for i in range(1, len(setup.participants) + 1)]
    errors += check_participants(setup.participants, set(numbers), labels)
    if errors:
        raise SetupError(errors)


def check_participants(people: list[ParticipantSpec], table_numbers: set[int], labels: list[str],
                       hosted: dict[int, str] | None = None, emails_used: dict[str, str] | None = None) -> list[str]:
    """Problems with a list of participants, each message starting with that person's label; `hosted` (table number:
    host) and `emails_used` (casefolded email: name) are what the list they join already holds."""
    errors: list[str] = []
    hosts = dict(hosted or {})
    emails: dict[str, str] = dict(emails_used or {})
    for where, spec in zip(labels, people):
        errors += check_participant(spec, where, table_numbers)
        if spec.host_of_table is not None and spec.host_of_table in table_numbers:
            if spec.host_of_table in hosts:
                errors.append(f"{where}: table {spec.host_of_table} already has a host ({hosts[spec.host_of_table]}).")
            hosts[spec.host_of_table] = spec.name
        if spec.email:
            key = spec.email.casefold()
            if key in emails:
                errors.append(f"{where}: the email {spec.email} is already used by {emails[key]}.")
            emails[key] = where
    return errors


def _flag(value: str, label: str, errors: list[str]) -> bool:
    """A yes/no cell."""
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        errors.append(f"{label} must be yes or no, not {value!r}.")
    return False


def decode_upload(raw: bytes, kind: str) -> str:
    """Text of an uploaded file, or a SetupError that says how to save it as UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SetupError(
            f"The {kind} file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            f"Save it again as UTF-8 (in Excel: 'CSV UTF-8')."
        ) from None


def parse_participants_csv(raw: bytes, table_numbers: set[int], hosted: dict[int, str] | None = None,
                           emails_used: dict[str, str] | None = None) -> list[ParticipantSpec]:
    """Participants from CSV bytes, or a SetupError naming every bad row and column."""
    text = decode_upload(raw, "CSV")
    # Spreadsheets in many locales save with semicolons or tabs; the header line tells which.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise SetupError(f"The CSV file cannot be read: {error}.") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SetupError("The CSV file is empty; its first row must name the columns: " + ", ".join(PARTICIPANT_COLUMNS) + ".")
    header = [_column(cell) for cell in rows[0]]
    unknown = [rows[0][i] for i, name in enumerate(header) if name not in PARTICIPANT_COLUMNS]
    errors = []
    if unknown:
        errors.append("Unknown columns: " + ", ".join(repr(u) for u in unknown)
                      + ". The columns are: " + ", ".join(PARTICIPANT_COLUMNS) + ".")
    if "name" not in header:
        errors.append("The CSV file has no 'name' column.")
    if errors:
        raise SetupError(errors)
    people: list[ParticipantSpec] = []
    labels: list[str] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(f"Row {line}: {len(cells)} cells, but the header names {len(header)} columns.")
            continue
        values = dict(zip(header, cells))
        flag = _flag(values.get("does_not_move", ""), f"Row {line}: does_not_move", errors)
        people.append(ParticipantSpec(
            name=values.get("name", ""), organisation=values.get("organisation", ""), role=values.get("role", ""),
            email=values.get("email"), host_of_table=values.get("host_of_table") or None, does_not_move=flag,
            choices=values.get("choices", ""),
        ))
        labels.append(f"Row {line}")
    if not people and not errors:
        raise SetupError("The CSV file has a header but no participants.")
    errors += check_participants(people, table_numbers, labels, hosted, emails_used)
    if len(people) > LIMITS["participants"]:
        errors.append(f"The file has {len(people)} participants; the limit is {LIMITS['participants']}.")
    if errors:
        raise SetupError(errors)
    return people


def _column(name: str) -> str:
    """A header cell as a canonical column name."""
    key = name.strip().casefold().replace("-", "_").replace(" ", "_")
    return COLUMN_ALIASES.get(key, key)


def participants_csv(people: list[ParticipantSpec]) -> str:
    """Participants as CSV text with the import's columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PARTICIPANT_COLUMNS)
    for p in people:
        writer.writerow([p.name, p.organisation, p.role, p.email or "", p.host_of_table or "",
                         "yes" if p.does_not_move else "no", p.choices])
    return out.getvalue()


def dump_yaml(setup: Setup) -> str:
    """A setup as YAML text, the format load_yaml reads back."""
    data = {"cafe_setup": SETUP_VERSION, **asdict(setup)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load_yaml(raw: bytes) -> Setup:
    """A validated setup from YAML bytes, or a SetupError saying what is wrong."""
    try:
        data = yaml.safe_load(decode_upload(raw, "YAML"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SetupError(f"The file is not valid YAML{where}: {getattr(error, 'problem', error)}.") from None
    except ValueError as error:  # a date or time that does not exist, such as 2026-02-30
        raise SetupError(f"The file is not valid YAML: {error}.") from None
    except RecursionError:
        raise SetupError("The file is not valid YAML: it is nested too deeply.") from None
    if not isinstance(data, dict) or data.get("cafe_setup") != SETUP_VERSION:
        raise SetupError(f"This is not a cafe setup file (it must start with 'cafe_setup: {SETUP_VERSION}').")
    setup = Setup(
        event=_build(EventSpec, data.get("event"), "event"),
        tables=[_build(TableSpec, t, f"tables[{i}]") for i, t in enumerate(_list(data, "tables"))],
        rounds=[_build(RoundSpec, r, f"rounds[{i}]") for i, r in enumerate(_list(data, "rounds"))],
        participants=[_build(ParticipantSpec, p, f"participants[{i}]") for i, p in enumerate(_list(data, "participants"))],
        polls=[_build(PollSpec, p, f"polls[{i}]") for i, p in enumerate(_list(data, "polls"))],
    )
    if isinstance(setup.event.date, datetime):
        setup.event.date = setup.event.date.date()
    if setup.event.date is not None and not isinstance(setup.event.date, date):
        try:
            setup.event.date = date.fromisoformat(setup.event.date if isinstance(setup.event.date, str) else "?")
        except ValueError:
            shown = repr(setup.event.date[:40]) if isinstance(setup.event.date, str) else "given"
            raise SetupError(f"The event date {shown} is not a date like 2026-06-18.") from None
    for i, spec in enumerate(setup.tables):
        if not isinstance(spec.headings, list):
            raise SetupError(f"'tables[{i}]': headings must be a list.")
    for spec in setup.rounds:
        spec.question = spec.question or ""
    check_setup(setup)
    return setup


def _list(data: dict[str, Any], key: str) -> list[Any]:
    """A top-level list of the setup file, or a SetupError."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SetupError(f"'{key}' must be a list.")
    return value


def _build(kind: type, value: Any, where: str) -> Any:
    """One spec from a mapping, refusing unknown or missing keys with a clear message."""
    if not isinstance(value, dict):
        raise SetupError(f"'{where}' must be a mapping of fields.")
    known = set(kind.__dataclass_fields__)
    unknown = sorted(str(name) for name in set(value) - known)
    if unknown:
        raise SetupError(f"'{where}' has unknown fields: {', '.join(unknown)}. Known fields: {', '.join(sorted(known))}.")
    try:
        return kind(**{k: ("" if v is None and k not in ("email", "host_of_table", "date", "max_choices") else v)
                       for k, v in value.items()})
    except TypeError:
        missing = [n for n, f in kind.__dataclass_fields__.items() if n not in value and f.default is MISSING and f.default_factory is MISSING]
        raise SetupError(f"'{where}' is missing: {', '.join(missing)}.") from None
