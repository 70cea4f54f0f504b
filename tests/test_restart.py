"""A server killed during a running round comes back with the same countdown and every stored note, once."""
import signal

import pytest





@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_restart_resumes_the_round_and_keeps_notes(fresh_server, sig):
    assert fresh_server.control("start")[0] == 200
    stored = []
    for i in range(20):
        status, note = fresh_server.post_note(1 + i % 7, f"note {i}", f"restart-{i:04d}")
        assert status == 201
        stored.append(note)
    before = fresh_server.event()["current"]
    fresh_server.kill(sig)
    fresh_server.start()
    after = fresh_server.event()["current"]
    assert after["phase"] == "running" and after["ends_at"] == before["ends_at"]
    assert 0 <= before["remaining_s"] - after["remaining_s"] < 15
    notes = fresh_server.api("GET", f"/events/{fresh_server.code}/notes?after=0")[1]["notes"]
    assert [n["client_id"] for n in notes] == [n["client_id"] for n in stored]
    for i in range(3):  # phones retrying after the restart get their stored note back, not a second copy
        status, note = fresh_server.post_note(1 + i % 7, f"note {i}", f"restart-{i:04d}")
        assert status == 200 and note["seq"] == stored[i]["seq"]
    assert len(fresh_server.api("GET", f"/events/{fresh_server.code}/notes?after=0")[1]["notes"]) == 20
