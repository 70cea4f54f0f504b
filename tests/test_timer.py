"""The round clock without an app: phases, remaining time, extensions."""
from hypothesis import given, strategies as st

from cafe.timer import Phase, RoundClock, ends_after_extension, status_at


def clocks(*states, minutes=10, buffer=60):
    return [RoundClock(i, s, minutes, buffer) for i, s in enumerate(states, start=1)]


def test_waiting_before_the_first_round():
    status = status_at(clocks("pending", "pending"), now=100)
    assert status.phase is Phase.WAITING and status.round_index == 1 and status.next_index == 1


def test_running_round_counts_down():
    rounds = [RoundClock(1, "running", 10, 60, ends_at=700), *clocks("pending")[0:0], RoundClock(2, "pending", 10, 60)]
    status = status_at(rounds, now=100)
    assert (status.phase, status.round_index, status.remaining_s, status.next_index) == (Phase.RUNNING, 1, 600, 2)


def test_a_passed_end_turns_into_moving_then_between():
    rounds = [RoundClock(1, "running", 10, 60, ends_at=700), RoundClock(2, "pending", 10, 60)]
    moving = status_at(rounds, now=730)
    assert moving.phase is Phase.MOVING and moving.ends_at == 760 and moving.remaining_s == 30
    assert status_at(rounds, now=761).phase is Phase.BETWEEN


def test_last_round_over_is_harvest():
    rounds = [RoundClock(1, "ended", 10, 60, ended_at=50), RoundClock(2, "running", 10, 60, ends_at=700)]
    assert status_at(rounds, now=701).phase is Phase.HARVEST


def test_paused_keeps_its_remaining_time():
    rounds = [RoundClock(1, "paused", 10, 60, remaining_s=42.5)]
    status = status_at(rounds, now=10_000)
    assert status.phase is Phase.PAUSED and status.remaining_s == 42.5 and status.ends_at is None


def test_skipped_rounds_are_passed_over():
    rounds = [RoundClock(1, "skipped", 10, 60), RoundClock(2, "pending", 10, 60)]
    assert status_at(rounds, now=0).next_index == 2
    assert status_at([RoundClock(1, "skipped", 10, 60)], now=0).phase is Phase.HARVEST


def test_extension_never_goes_below_now():
    clock = RoundClock(1, "running", 10, 60, ends_at=500)
    assert ends_after_extension(clock, 300, now=100) == (800, None)
    assert ends_after_extension(clock, -1000, now=100) == (100, None)
    assert ends_after_extension(RoundClock(1, "paused", 10, 60, remaining_s=30), -60, now=0) == (None, 0.0)


@given(st.floats(0, 10_000), st.floats(0, 10_000), st.floats(0, 3_600))
def test_remaining_time_is_never_negative_and_never_grows(start, later, length):
    rounds = [RoundClock(1, "running", length / 60, 30, ends_at=start + length), RoundClock(2, "pending", 10, 30)]
    first, second = status_at(rounds, start), status_at(rounds, start + later)
    assert first.remaining_s is not None and first.remaining_s >= 0
    if second.phase is Phase.RUNNING:
        assert 0 <= second.remaining_s <= first.remaining_s
