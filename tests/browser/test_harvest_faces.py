"""Harvest tools in real Chromium: live votes, hide until reveal, and a console theme reaching the exports."""
import io
import json
import time
import urllib.request

from openpyxl import load_workbook
from playwright.sync_api import expect


def export(server, name):
    """Download an export through the API as the demo facilitator."""
    request = urllib.request.Request(f"{server.base}/api/v1/events/{server.code}/exports/{name}",
                                     headers={"Authorization": f"Bearer {server.token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def test_votes_from_a_phone_update_the_board_live(server, new_page):
    server.ensure_running()
    status, note = server.post_note(6, "Mentoring circles for new RSEs", f"vote-{time.time_ns()}")
    assert status == 201
    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    board.wait_for_selector("[data-live].online")
    phone = new_page(server.urls["table 6"], viewport={"width": 390, "height": 844})
    phone.wait_for_selector("[data-live].online")
    phone.locator(f'#note-{note["seq"]} button[value="vote"]').click()
    expect(board.locator(f'#note-{note["seq"]} [data-votes]')).to_have_text("1 vote", timeout=2000)
    expect(phone.locator("[data-votes-left]")).to_contain_text("2 votes left")


def test_a_vote_on_a_note_that_left_the_board_does_not_bring_it_back_on_top(server, new_page):
    server.ensure_running()
    heading = server.event()["tables"][6]["headings"][-1]
    seqs = [server.post_note(7, f"Board order {i}", f"order-{time.time_ns()}", heading)[1]["seq"] for i in range(14)]
    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    board.wait_for_selector("[data-live].online")
    shown = f'[data-tile="7"] [data-heading-list="{heading}"] .note'
    expect(board.locator(shown).first).to_have_attribute("data-seq", str(seqs[-1]))
    assert server.api("POST", f"/events/{server.code}/notes/{seqs[0]}/vote", {"device": f"d-{time.time_ns()}"})[0] == 200
    server.post_note(7, "Board order, newest", f"order-{time.time_ns()}", heading)
    expect(board.locator(shown, has_text="Board order, newest")).to_have_count(1)
    order = board.eval_on_selector_all(shown, "els => els.map((e) => Number(e.dataset.seq))")
    assert order == sorted(order, reverse=True) and seqs[0] not in order and len(order) == 12


def test_a_hidden_round_shows_nothing_until_the_reveal(server, new_page, console):
    server.ensure_running()
    console.get_by_role("button", name="Hide notes until I reveal them").click()
    expect(console.get_by_role("button", name="Reveal the notes")).to_be_visible()
    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    board.wait_for_selector("[data-live].online")
    phone = new_page(server.urls["table 2"], viewport={"width": 390, "height": 844})
    phone.wait_for_selector("[data-live].online")
    texts = [f"Written blind {i} {time.time_ns()}" for i in range(3)]
    for i, text in enumerate(texts):
        assert server.post_note(2, text, f"blind-{time.time_ns()}-{i}")[0] == 201
    time.sleep(1.5)
    for page in (board, phone):
        assert page.locator(".note-text", has_text="Written blind").count() == 0
    console.get_by_role("button", name="Reveal the notes").click()
    for page in (board, phone):
        for text in texts:
            expect(page.locator(".note-text", has_text=text)).to_be_visible(timeout=5000)


def test_screens_opened_while_notes_were_hidden_show_them_at_the_reveal_and_drop_them_at_a_hide(server, new_page,
                                                                                                 console):
    server.ensure_running()
    console.get_by_role("button", name="Hide notes until I reveal them").click()
    expect(console.get_by_role("button", name="Reveal the notes")).to_be_visible()
    text = f"Posted before the board opened {time.time_ns()}"
    assert server.post_note(4, text, f"early-{time.time_ns()}")[0] == 201
    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    phone = new_page(server.urls["table 4"], viewport={"width": 390, "height": 844})
    other_console = new_page(server.urls["facilitator link (console without logging in)"])  # a second facilitator
    for page in (board, phone, other_console):
        page.wait_for_selector("[data-live].online")
    for page in (board, phone):
        assert page.locator(".note-text", has_text=text).count() == 0
    held = other_console.locator("[data-notes] .console-note", has_text=text)
    expect(held).to_contain_text("hidden until reveal")
    console.get_by_role("button", name="Reveal the notes").click()
    for page in (board, phone):
        expect(page.locator(".note-text", has_text=text)).to_be_visible(timeout=5000)
    expect(held).not_to_contain_text("hidden until reveal", timeout=5000)  # redrawn live on the other console
    console.get_by_role("button", name="Hide notes until I reveal them").click()
    for page in (board, phone):
        expect(page.locator(".note-text", has_text=text)).to_have_count(0, timeout=5000)
    expect(held).to_contain_text("hidden until reveal", timeout=5000)
    console.get_by_role("button", name="Reveal the notes").click()
    expect(board.locator(".note-text", has_text=text)).to_be_visible(timeout=5000)


def test_a_theme_made_on_the_console_reaches_the_workbook_and_the_markdown(server, console):
    server.ensure_running()
    seqs = [server.post_note(3, text, f"theme-{time.time_ns()}-{i}")[1]["seq"]
            for i, text in enumerate(["No GPU queue for students", "Students wait days for GPUs"])]
    console.reload()
    for seq in seqs:
        console.locator(f'input[name="notes"][value="{seq}"]').check()
    console.get_by_label("New theme (the selected notes go in it)").fill("GPU access for students")
    console.get_by_role("button", name="Make theme").click()
    expect(console.locator(".theme-box h3", has_text="GPU access for students")).to_contain_text("2 notes")
    book = load_workbook(io.BytesIO(export(server, "themes.xlsx")), read_only=True)
    themes = [row for row in book["Themes"].iter_rows(values_only=True)]
    book.close()
    assert any(row[0] == "GPU access for students" and row[3] == 2 for row in themes[1:])
    assert "GPU access for students" in export(server, "blog.md").decode()
    data = json.loads(export(server, "event.json"))
    assert any(t["name"] == "GPU access for students" for t in data["themes"])


def test_a_vote_redrawing_a_note_on_the_console_keeps_its_tick_and_an_edit_being_written(server, console):
    server.ensure_running()
    seq = server.post_note(5, f"Ticked and being edited {time.time_ns()}", f"tick-{time.time_ns()}")[1]["seq"]
    note = console.locator(f"#console-note-{seq}")
    expect(note).to_be_visible()
    note.locator('input[name="notes"]').check()
    note.get_by_text(f"Edit note {seq}").click()
    note.locator("textarea").fill("A careful fix, half written")
    assert server.api("POST", f"/events/{server.code}/notes/{seq}/vote", {"device": f"d-{time.time_ns()}"})[0] == 200
    expect(note.locator("[data-votes]")).to_have_text("1 vote")
    expect(note.locator('input[name="notes"]')).to_be_checked()
    expect(note.locator("textarea")).to_have_value("A careful fix, half written")


def test_a_board_that_missed_a_hide_while_offline_notices_it_at_the_next_clock(server, new_page, console):
    server.ensure_running()
    text = f"Shown, then hidden behind the board's back {time.time_ns()}"
    assert server.post_note(3, text, f"missed-{time.time_ns()}")[0] == 201
    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    board.wait_for_selector("[data-live].online")
    expect(board.locator(".note-text", has_text=text)).to_have_count(1)
    board.context.set_offline(True)
    board.evaluate("window.cafe.socket.io.engine.close()")
    board.wait_for_selector("[data-live].offline")
    console.get_by_role("button", name="Hide notes until I reveal them").click()
    expect(console.get_by_role("button", name="Reveal the notes")).to_be_visible()
    try:
        board.context.set_offline(False)  # the round.hidden message went out while the board was away
        expect(board.locator(".note-text", has_text=text)).to_have_count(0, timeout=15_000)
    finally:
        console.get_by_role("button", name="Reveal the notes").click()
    expect(board.locator(".note-text", has_text=text)).to_have_count(1, timeout=15_000)
