"""Live events through Socket.IO test clients: who receives what, and who may do what."""
from cafe import operations
from helpers import received


def post(event, table_index=0, text="A note", client_id=None):
    table = event.tables[table_index]
    return operations.post_note(table, heading=table.heading_titles[0], text=text,
                                client_id=client_id or f"client-{text.replace(' ', '-')}-{table_index}")


def test_join_replies_with_the_clock(live_event, sio):
    board = sio(live_event, "board")
    reply = board.join_reply
    assert reply["ok"] and reply["clock"]["phase"] == "running" and reply["clock"]["round"] == 1
    assert reply["server_ms"] > 0


def test_a_note_reaches_boards_console_and_its_table_only(live_event, sio, login):
    board = sio(live_event, "board")
    console = sio(live_event, "console", logged_in=login())
    here = sio(live_event, "table", table=live_event.tables[0].token)
    elsewhere = sio(live_event, "table", table=live_event.tables[1].token)
    post(live_event, 0, "Budget time for training")
    for socket in (board, here):
        [note] = received(socket, "note.created")
        assert note["text"] == "Budget time for training" and note["table"] == 1 and note["seq"] == 1
        assert "Budget time for training" in note["html"]
    assert received(console, "note.created")[0]["seq"] == 1
    assert received(elsewhere, "note.created") == []


def test_a_socket_of_one_event_receives_nothing_of_another(create_event, sio):
    first, second = create_event(name="First"), create_event(name="Second")
    other_board = sio(second, "board")
    operations.control_round(first, "start")
    post(first)
    operations.announce(first, "Coffee is ready")
    assert other_board.get_received() == []


def test_round_changes_reach_every_screen(live_event, sio, login):
    phone = sio(live_event, "table", table=live_event.tables[0].token)
    board = sio(live_event, "board")
    console = sio(live_event, "console", logged_in=login())
    reply = console.emit("round.control", {"event": live_event.code, "action": "pause"}, callback=True)
    assert reply["ok"] and reply["clock"]["phase"] == "paused"
    for socket in (phone, board):
        assert received(socket, "round.state")[-1]["phase"] == "paused"


def test_an_attendee_socket_cannot_start_a_round_or_open_the_console(create_event, sio):
    event = create_event()
    phone = sio(event, "table", table=event.tables[0].token)
    reply = phone.emit("round.control", {"event": event.code, "action": "start"}, callback=True)
    assert not reply["ok"] and "facilitators" in reply["error"]
    assert event.rounds[0].state.value == "pending"
    console = sio(event, "console")
    assert not console.join_reply["ok"]
    operations.announce_activity(event)
    assert received(console, "activity") == []


def test_another_organiser_cannot_open_the_console(create_event, create_user, sio, login):
    event = create_event()
    stranger = login(create_user("eve@example.org"))
    console = sio(event, "console", logged_in=stranger)
    assert console.join_reply == {**console.join_reply, "ok": False}
    reply = console.emit("round.control", {"event": event.code, "action": "start"}, callback=True)
    assert not reply["ok"]


def test_bad_joins_are_refused_with_a_reason(create_event, sio):
    event = create_event()
    assert "no event" in sio(event, "board").emit("join", {"event": "NOPE99", "view": "board"}, callback=True)["error"]
    wrong_table = sio(event, "table", table="not-a-token")
    assert not wrong_table.join_reply["ok"] and "not valid" in wrong_table.join_reply["error"]
    assert "Say which view" in sio(event, "wall").join_reply["error"]


def test_console_sees_activity_per_table(live_event, sio, login):
    console = sio(live_event, "console", logged_in=login())
    sio(live_event, "table", table=live_event.tables[1].token)
    post(live_event, 1, "Hello")
    activity = received(console, "activity")[-1]["tables"]
    assert activity[1] == {"table": 2, "notes": 1, "phones": 1}
    assert activity[0] == {"table": 1, "notes": 0, "phones": 0}


def test_console_figures_are_only_worked_out_while_a_console_can_see_them(live_event, sio, login, monkeypatch):
    worked_out = []
    monkeypatch.setattr(operations, "announce_activity", worked_out.append)
    sio(live_event, "board")
    post(live_event, 0, "Seen by the board only")
    assert worked_out == []
    sio(live_event, "console", logged_in=login())
    post(live_event, 1, "Seen by the console too")
    assert [event.id for event in worked_out] == [live_event.id]


def test_sync_answers_with_the_server_time(live_event, sio):
    reply = sio(live_event).emit("sync", {}, callback=True)
    assert reply["ok"] and reply["server_ms"] > 1_700_000_000_000


def test_announcements_reach_every_screen(live_event, sio):
    phone = sio(live_event, "table", table=live_event.tables[2].token)
    operations.announce(live_event, "Harvest in 5 minutes")
    assert received(phone, "announcement") == [{"text": "Harvest in 5 minutes"}]
