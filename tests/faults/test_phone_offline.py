"""A phone on bad WiFi: notes written offline wait in the browser and are stored exactly once when it is back."""
import time

from playwright.sync_api import expect


def stored(server, prefix):
    """The texts stored so far that start with a prefix."""
    notes = server.api("GET", f"/events/{server.code}/notes?after=0&limit=1000")[1]["notes"]
    return [n["text"] for n in notes if n["text"].startswith(prefix)]


def test_a_phone_offline_for_60_seconds_stores_its_five_notes_once(server, new_page):
    server.ensure_running()
    phone = new_page(server.urls["table 7"], viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.wait_for_selector("[data-live].online")
    phone.context.set_offline(True)
    prefix = f"Offline {time.time_ns()}"
    for i in range(5):
        phone.get_by_label("Your note").fill(f"{prefix} note {i}")
        phone.get_by_role("button", name="Post").click()
    expect(phone.locator(".note.mine.waiting")).to_have_count(5)
    time.sleep(60)
    assert stored(server, prefix) == []
    phone.context.set_offline(False)
    expect(phone.locator(".note.mine.stored")).to_have_count(5, timeout=40_000)
    assert sorted(stored(server, prefix)) == [f"{prefix} note {i}" for i in range(5)]


def two_notes_offline(server, new_page, prefix):
    """A phone at table 5 that went offline and wrote two notes, both waiting in its outbox."""
    server.ensure_running()
    phone = new_page(server.urls["table 5"], viewport={"width": 390, "height": 844})
    phone.wait_for_selector("[data-live].online")
    phone.context.set_offline(True)
    for i in range(2):
        phone.get_by_label("Your note").fill(f"{prefix} {i}")
        phone.get_by_role("button", name="Post").click()
    expect(phone.locator(".note.mine.waiting")).to_have_count(2)
    return phone


def test_notes_waiting_in_the_outbox_survive_a_reload(server, new_page):
    prefix = f"Reloaded {time.time_ns()}"
    phone = two_notes_offline(server, new_page, prefix)
    phone.close()  # the phone's tab is gone; its storage stays
    phone.context.set_offline(False)
    again = phone.context.new_page()
    again.goto(server.urls["table 5"])
    expect(again.locator(".note.mine.stored")).to_have_count(2, timeout=40_000)
    assert sorted(stored(server, prefix)) == [f"{prefix} 0", f"{prefix} 1"]


def test_a_note_stored_whose_answer_was_lost_shows_as_mine_after_a_reload(server, new_page):
    prefix = f"Answer lost {time.time_ns()}"
    phone = two_notes_offline(server, new_page, prefix)
    waiting = phone.evaluate("JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('cafe.outbox'))))")
    # The first note reached the server, but its answer never reached the phone (the WiFi dropped on the way back).
    assert server.api("POST", f"/events/{server.code}/tables/5/notes", waiting[0])[0] == 201
    phone.close()
    phone.context.set_offline(False)
    again = phone.context.new_page()
    again.goto(server.urls["table 5"])
    expect(again.locator(".note.mine.stored")).to_have_count(2, timeout=40_000)
    assert sorted(stored(server, prefix)) == [f"{prefix} 0", f"{prefix} 1"]
