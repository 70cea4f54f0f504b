"""Pure: a poll's answers checked, and its results counted, for every kind of poll.

No Flask and no database: operations pass plain values in, and the same Results serve the live messages, the API,
the pages and every export.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Sequence

from cafe.themes import word_counts

KINDS = ("single", "multiple", "scale", "ranking", "open", "quiz")
OPTION_KINDS = ("single", "multiple", "ranking", "quiz")
SCALES = ((1, 5), (0, 10))
ANSWER_LIMIT = 140  # an open-text answer: a few words for the cloud, a line for the list
SHOWN_ANSWERS = 30  # open-text answers a result carries, newest first


@dataclass(frozen=True)
class Shape:
    """What a poll accepts: its kind, how many options, how many choices at most, and its scale."""

    kind: str
    options: int = 0
    max_choices: int = 1
    scale_min: int = 1
    scale_max: int = 5


@dataclass(frozen=True)
class Answer:
    """One device's answer as stored: option positions (1-based, in order), a number, or a text."""

    positions: tuple[int, ...] = ()
    value: int | None = None
    text: str = ""


@dataclass(frozen=True)
class OptionResult:
    """One option's count, its share of the answers, its Borda points (ranking) and whether it is correct (quiz)."""

    position: int
    text: str
    count: int
    share: float
    points: int = 0
    correct: bool | None = None


@dataclass(frozen=True)
class Results:
    """A poll's results: per option, or a scale's distribution and mean, or an open poll's words and answers."""

    kind: str
    responses: int
    options: tuple[OptionResult, ...] = ()
    distribution: tuple[tuple[int, int], ...] = ()
    mean: float | None = None
    correct_share: float | None = None
    words: tuple[tuple[str, int], ...] = ()
    answers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: lists instead of tuples."""
        data = asdict(self)
        data["distribution"] = [list(pair) for pair in self.distribution]
        data["words"] = [list(pair) for pair in self.words]
        return data

    def ranked(self) -> list[OptionResult]:
        """The options, most chosen first (by Borda points for a ranking), ties in their own order."""
        key = (lambda o: (-o.points, o.position)) if self.kind == "ranking" else (lambda o: (-o.count, o.position))
        return sorted(self.options, key=key)


def stored_positions(choices: str) -> tuple[int, ...]:
    """Option positions from their stored text ("2 1 3"), in order."""
    return tuple(int(p) for p in choices.split() if p.isdigit())


def check_answer(shape: Shape, answer: Answer) -> list[str]:
    """What is wrong with an answer to a poll of this shape, in words (empty when it can be stored)."""
    kind, chosen = shape.kind, answer.positions
    if kind in OPTION_KINDS:
        if any(not 1 <= p <= shape.options for p in chosen):
            return [f"Choose among the poll's {shape.options} options."]
        if len(set(chosen)) != len(chosen):
            return ["Choose each option once."]
    if kind in ("single", "quiz") and len(chosen) != 1:
        return ["Choose one option."]
    if kind == "multiple" and not 1 <= len(chosen) <= shape.max_choices:
        return [f"Choose between 1 and {shape.max_choices} options."]
    if kind == "ranking" and len(chosen) != shape.options:
        return [f"Put all {shape.options} options in order, each with its own place."]
    if kind == "scale" and (answer.value is None or not shape.scale_min <= answer.value <= shape.scale_max):
        return [f"Choose a number from {shape.scale_min} to {shape.scale_max}."]
    if kind == "open":
        if not answer.text.strip():
            return ["Write an answer before sending."]
        if len(answer.text.strip()) > ANSWER_LIMIT:
            return [f"An answer can be at most {ANSWER_LIMIT} characters; this one has {len(answer.text.strip())}."]
    return []


def check_shape(shape: Shape, option_texts: Sequence[str], correct: Sequence[bool] = ()) -> list[str]:
    """What is wrong with a poll's setup (its kind, options, choices, scale, correct options), in words."""
    if shape.kind not in KINDS:
        return [f"A poll's kind is one of: {', '.join(KINDS)}."]
    errors = []
    if shape.kind in OPTION_KINDS:
        if not 2 <= len(option_texts) <= 12:
            errors.append("Give between 2 and 12 options, one per line.")
        if len({t.casefold() for t in option_texts}) != len(option_texts):
            errors.append("Each option must be different from the others.")
        if any(len(t) > 200 for t in option_texts):
            errors.append("An option can be at most 200 characters.")
    if shape.kind == "multiple" and not 1 <= shape.max_choices <= max(1, len(option_texts)):
        errors.append(f"The most choices a person may pick is between 1 and the number of options ({len(option_texts)}).")
    if shape.kind == "scale" and (shape.scale_min, shape.scale_max) not in SCALES:
        errors.append("A rating scale runs from 1 to 5 or from 0 to 10.")
    if shape.kind == "quiz" and not any(correct):
        errors.append("Mark at least one option of the quiz as correct.")
    return errors


def tally(shape: Shape, option_texts: Sequence[str], answers: Iterable[Answer], correct: Sequence[bool] = (),
          *, shown: Iterable[str] = ()) -> Results:
    """Count a poll's answers into its results; `shown`: the open answers a board may list, newest first."""
    answers = list(answers)
    total = len(answers)
    kind = shape.kind
    if kind == "scale":
        counts = {v: 0 for v in range(shape.scale_min, shape.scale_max + 1)}
        for a in answers:
            if a.value in counts:
                counts[a.value] += 1
        values = [a.value for a in answers if a.value is not None]
        mean = round(sum(values) / len(values), 2) if values else None
        return Results(kind, total, distribution=tuple(counts.items()), mean=mean)
    if kind == "open":  # the words and the list come from the answers a board may show (moderation hides some)
        texts = list(shown)
        return Results(kind, total, words=tuple(word_counts(texts, limit=40)), answers=tuple(texts)[:SHOWN_ANSWERS])
    n = len(option_texts)
    counts = [0] * n
    points = [0] * n
    for a in answers:
        for place, position in enumerate(a.positions):
            if not 1 <= position <= n:
                continue
            if kind == "ranking":
                points[position - 1] += n - place
                counts[position - 1] += place == 0
            else:
                counts[position - 1] += 1
    marks = list(correct) + [False] * (n - len(correct))
    top = total * n if kind == "ranking" else total
    options = tuple(OptionResult(
        position=i + 1, text=option_texts[i], count=counts[i],
        share=round((points[i] if kind == "ranking" else counts[i]) / top, 4) if top else 0.0,
        points=points[i], correct=marks[i] if kind == "quiz" else None) for i in range(n))
    right = None
    if kind == "quiz":
        right = round(sum(1 for a in answers if a.positions and marks[a.positions[0] - 1]) / total, 4) if total else 0.0
    return Results(kind, total, options=options, correct_share=right)


def percent(share: float) -> str:
    """A share as people read it: 45 %, or <1 % for a few answers out of many."""
    value = round(share * 100)
    return "<1 %" if share and not value else f"{value} %"
