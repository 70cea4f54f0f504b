"""Pure: where a café is in its rounds, and how much time is left, at any instant.

Times are Unix seconds. A round's stored fields (state, ends_at, remaining_s,
ended_at) are all the truth there is: every screen and every server process
derives the same phase from them and the current time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """What the room is doing."""

    WAITING = "waiting"    # before the first round
    RUNNING = "running"    # a round is on
    PAUSED = "paused"      # a round is on hold
    MOVING = "moving"      # the switching buffer after a round: "move now"
    BETWEEN = "between"    # the buffer is over; the next round waits for the facilitator
    HARVEST = "harvest"    # no rounds left


ON = frozenset({Phase.RUNNING, Phase.PAUSED})  # a round is under way (running or on hold): posting may be open
CLOSED_MESSAGES = {
    Phase.WAITING: "Posting opens when the first round starts.",
    Phase.MOVING: "Time to move to your next table; posting opens when the next round starts.",
    Phase.BETWEEN: "Posting opens when the next round starts.",
    Phase.HARVEST: "The café is over: posting is closed. Thank you!",
}


def posting_closed(phase: Phase, posting_open: bool) -> str | None:
    """Why a phone cannot post in this phase, in words for it; None while it can."""
    if phase not in ON:
        return CLOSED_MESSAGES.get(phase, "Posting is closed.")
    return None if posting_open else "The facilitator has closed posting for a moment."


@dataclass(frozen=True)
class RoundClock:
    """The stored timing of one round."""

    index: int
    state: str
    minutes: float
    buffer_seconds: float
    ends_at: float | None = None
    remaining_s: float | None = None
    ended_at: float | None = None

    def over_at(self, now: float) -> bool:
        """True when the round was running and its end instant has passed."""
        return self.state == "running" and self.ends_at is not None and now >= self.ends_at

    def settled(self, now: float) -> RoundClock:
        """The same round with a passed end instant written as ended."""
        if self.over_at(now):
            return RoundClock(self.index, "ended", self.minutes, self.buffer_seconds, None, None, self.ends_at)
        return self


@dataclass(frozen=True)
class Status:
    """The room's phase, the round it concerns, and the instant its countdown aims at."""

    phase: Phase
    round_index: int | None       # the round on (running/paused), just ended (moving/between), or next (waiting)
    next_index: int | None        # the next pending round, if any
    ends_at: float | None         # the instant the countdown reaches zero (round end, or buffer end)
    remaining_s: float | None     # seconds left at the instant asked about
    total: int

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON."""
        return {"phase": self.phase.value, "round": self.round_index, "next_round": self.next_index,
                "ends_at": self.ends_at, "remaining_s": self.remaining_s, "rounds": self.total}


def status_at(rounds: list[RoundClock], now: float) -> Status:
    """The phase of a café with these rounds at instant `now`."""
    rounds = sorted((r.settled(now) for r in rounds), key=lambda r: r.index)
    pending = [r for r in rounds if r.state == "pending"]
    next_index = pending[0].index if pending else None
    total = len(rounds)
    for r in rounds:
        if r.state == "running" and r.ends_at is not None:
            return Status(Phase.RUNNING, r.index, _after(pending, r.index), r.ends_at, max(0.0, r.ends_at - now), total)
        if r.state == "paused":
            return Status(Phase.PAUSED, r.index, _after(pending, r.index), None, r.remaining_s or 0.0, total)
    ended = [r for r in rounds if r.state == "ended" and r.ended_at is not None]
    last = max(ended, key=lambda r: r.ended_at or 0.0) if ended else None
    if next_index is None:
        return Status(Phase.HARVEST, last.index if last else None, None, None, None, total)
    if last is None:
        return Status(Phase.WAITING, next_index, next_index, None, None, total)
    buffer_end = (last.ended_at or 0.0) + last.buffer_seconds
    if now < buffer_end:
        return Status(Phase.MOVING, last.index, next_index, buffer_end, buffer_end - now, total)
    return Status(Phase.BETWEEN, last.index, next_index, None, None, total)


def _after(pending: list[RoundClock], index: int) -> int | None:
    """The first pending round after a given one."""
    return next((r.index for r in pending if r.index > index), None)


def ends_after_extension(clock: RoundClock, seconds: float, now: float) -> tuple[float | None, float | None]:
    """New (ends_at, remaining_s) after adding (or, if negative, taking away) time; never below zero."""
    if clock.state == "paused":
        return None, max(0.0, (clock.remaining_s or 0.0) + seconds)
    return max(now, (clock.ends_at or now) + seconds), None


def warnings_due(remaining_s: float, warnings: list[int]) -> int | None:
    """The largest warning threshold already reached, for a countdown at `remaining_s`."""
    reached = [w for w in warnings if remaining_s <= w]
    return max(reached) if reached else None


def clock_version(rounds: list[RoundClock]) -> str:
    """A short fingerprint of the rounds as stored: it changes with every start, pause, extension, end or skip, so a
    console can say which clock it acted on."""
    stored = sorted((r.index, r.state, r.minutes, r.ends_at, r.remaining_s) for r in rounds)
    return hashlib.blake2s(repr(stored).encode(), digest_size=6).hexdigest()
