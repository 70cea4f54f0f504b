"""The round engine through operations: each action, conflicts, the ticker, auto-advance; on both databases."""
import pytest

from cafe import operations
from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe.models import EventStatus, RoundState
from cafe.payloads import clock_payload, status_of

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
T0 = 1_800_000_000.0


def test_start_pause_resume_keeps_remaining_time(create_event):
    event = create_event(rounds=2)
    operations.control_round(event, "start", now=T0)
    assert event.status is EventStatus.LIVE
    operations.control_round(event, "pause", now=T0 + 100)
    assert status_of(event, T0 + 5000).remaining_s == 500
    operations.control_round(event, "resume", now=T0 + 5000)
    assert status_of(event, T0 + 5000).ends_at == T0 + 5500


def test_extend_and_shorten(create_event):
    event = create_event()
    operations.control_round(event, "start", now=T0)
    operations.control_round(event, "extend", 5, now=T0)
    assert status_of(event, T0).remaining_s == 900
    operations.control_round(event, "extend", "-2", now=T0)
    assert status_of(event, T0).remaining_s == 780


def test_end_gives_moving_then_between_then_next(create_event):
    event = create_event(rounds=2)
    event.rounds[0].buffer_seconds = 60
    operations.control_round(event, "start", now=T0)
    operations.control_round(event, "end", now=T0 + 30)
    assert status_of(event, T0 + 40).phase.value == "moving"
    assert status_of(event, T0 + 91).phase.value == "between"
    operations.control_round(event, "start", now=T0 + 100)
    assert status_of(event, T0 + 100).round_index == 2


def test_next_ends_the_current_round_and_starts_the_next(create_event):
    event = create_event(rounds=2)
    operations.control_round(event, "start", now=T0)
    operations.control_round(event, "next", now=T0 + 10)
    assert [r.state for r in event.rounds] == [RoundState.ENDED, RoundState.RUNNING]


@pytest.mark.parametrize("action,minutes", [("next", None), ("extend", 5), ("skip", None)])
def test_a_second_console_pressing_the_same_button_changes_nothing(create_event, action, minutes):
    event = create_event(rounds=3)
    operations.control_round(event, "start", now=T0)
    if action == "skip":
        operations.control_round(event, "end", now=T0 + 5)  # skipping needs a round not on
    seen = clock_payload(event, T0 + 9)["version"]  # what both consoles show
    operations.control_round(event, action, minutes, now=T0 + 10, seen_clock=seen)
    states = [(r.state, r.ends_at) for r in event.rounds]
    with pytest.raises(Conflict, match=r"The clock changed meanwhile \(round \d, \w+\): nothing was done"):
        operations.control_round(event, action, minutes, now=T0 + 11, seen_clock=seen)
    db.session.rollback()
    assert [(r.state, r.ends_at) for r in event.rounds] == states
    operations.control_round(event, "pause" if action != "skip" else "start", now=T0 + 12,
                             seen_clock=clock_payload(event, T0 + 12)["version"])


def test_last_round_leads_to_harvest(create_event):
    event = create_event(rounds=2)
    operations.control_round(event, "skip", now=T0)
    operations.control_round(event, "start", now=T0)
    operations.control_round(event, "end", now=T0 + 1)
    assert event.status is EventStatus.HARVEST
    assert status_of(event, T0 + 2).phase.value == "harvest"
    with pytest.raises(Conflict, match="last round"):
        operations.control_round(event, "next", now=T0 + 3)


@pytest.mark.parametrize("action, message", [
    ("pause", "No round is running"), ("resume", "No round is running"), ("end", "No round is running"),
])
def test_actions_that_need_a_running_round(create_event, action, message):
    with pytest.raises(Conflict, match=message):
        operations.control_round(create_event(), action, now=T0)


def test_start_twice_and_unknown_actions_are_refused(create_event):
    event = create_event()
    operations.control_round(event, "start", now=T0)
    with pytest.raises(Conflict, match="already on"):
        operations.control_round(event, "start", now=T0 + 1)
    with pytest.raises(NotFound, match="Unknown round action"):
        operations.control_round(event, "explode")
    with pytest.raises(CafeError, match="Minutes must be a number"):
        operations.control_round(event, "extend", "lots")


def test_tick_settles_rounds_whose_time_is_up(create_event):
    event = create_event(rounds=2)
    operations.control_round(event, "start", now=T0)
    assert operations.tick(now=T0 + 599) == 0
    assert operations.tick(now=T0 + 601) == 1
    db.session.expire_all()
    assert event.rounds[0].state is RoundState.ENDED and event.rounds[0].ended_at == T0 + 600
    assert operations.tick(now=T0 + 602) == 0


def test_auto_advance_starts_the_next_round_after_the_buffer(create_event):
    event = create_event(rounds=2)
    operations.update_live_settings(event, auto_advance=True, warnings="120, 30", chime=True)
    operations.control_round(event, "start", now=T0)
    operations.tick(now=T0 + 600)
    operations.tick(now=T0 + 630)
    db.session.expire_all()
    assert event.rounds[1].state is RoundState.PENDING
    operations.tick(now=T0 + 661)
    db.session.expire_all()
    assert event.rounds[1].state is RoundState.RUNNING and event.rounds[1].started_at == T0 + 661


def test_clock_payload_has_what_screens_need(create_event):
    event = create_event()
    operations.control_round(event, "start", now=T0)
    clock = clock_payload(event, now=T0 + 60)
    assert clock["phase"] == "running" and clock["remaining_s"] == 540 and clock["round"] == 1
    assert clock["ends_at"] == "2027-01-15T08:10:00.000Z" and clock["server_time"] == "2027-01-15T08:01:00.000Z"
    assert clock["warnings"] == [120, 30] and clock["posting_open"] is True


def test_live_settings_refuse_bad_warnings(create_event):
    with pytest.raises(CafeError, match="Warnings are up to five times"):
        operations.update_live_settings(create_event(), auto_advance=False, warnings="soon", chime=True)


def test_a_note_written_during_a_round_and_arriving_after_it_is_kept_late(create_event):
    event = create_event(rounds=2)
    operations.control_round(event, "start", now=T0)
    operations.control_round(event, "end", now=T0 + 60)
    table = event.tables[0]
    note, created = operations.post_note(table, heading="Blockers", text="Written offline", client_id="late-000001",
                                         round_index=1, now=T0 + 120)
    assert created and note.late and note.round.index == 1
    operations.update_harvest_settings(event, vote_limit=3, event_wide_voting=False, premoderation=False,
                                       flag_words="", accept_late=False)
    with pytest.raises(Conflict, match="Posting opens"):
        operations.post_note(table, heading="Blockers", text="Too late", client_id="late-000002", round_index=1,
                             now=T0 + 130)
