"""The live café in real Chromium: phone, board and console against a real server."""
import re
import time

from playwright.sync_api import expect


def seconds(text):
    minutes, secs = re.fullmatch(r"(\d+):(\d\d)", text.strip()).groups()
    return int(minutes) * 60 + int(secs)


def online(page):
    page.wait_for_selector("[data-live].online")
    return page


def test_a_note_from_a_phone_shows_on_board_and_console_within_a_second(server, new_page, console):
    server.ensure_running()
    board = online(new_page(server.urls["board"], viewport={"width": 1920, "height": 1080}))
    phone = online(new_page(server.urls["table 3"], viewport={"width": 390, "height": 844}, is_mobile=True))
    phone.get_by_label("Your note").fill("Our cluster has no GPU queue for students")
    phone.get_by_role("button", name="Post").click()
    started = time.monotonic()
    expect(board.locator('[data-tile="3"] .note-text', has_text="no GPU queue")).to_be_visible(timeout=1000)
    expect(console.locator("[data-notes] .note-text", has_text="no GPU queue")).to_be_visible(timeout=1000)
    assert time.monotonic() - started < 1.5
    expect(phone.locator(".note.mine.stored", has_text="no GPU queue")).to_be_visible()


def test_console_start_shows_the_same_remaining_time_everywhere(server, new_page, console):
    status = server.event()["current"]["phase"]
    if status in ("running", "paused"):
        server.control("end")
    board = online(new_page(server.urls["board"]))
    phone = online(new_page(server.urls["table 1"], viewport={"width": 390, "height": 844}))
    console.keyboard.press("s")
    for page in (console, board, phone):
        expect(page.locator("[data-clock-label]")).to_have_text(re.compile(r"Round \d of 4"))
    times = [seconds(page.inner_text("[data-clock-time]")) for page in (console, board, phone)]
    assert max(times) - min(times) <= 1, times
    assert times[0] > 60


def test_a_board_cut_off_for_30_seconds_catches_up(server, new_page):
    server.ensure_running()
    board = online(new_page(server.urls["board"], viewport={"width": 1920, "height": 1080}))
    board.context.set_offline(True)
    board.evaluate("window.cafe.socket.io.engine.close()")
    board.wait_for_selector("[data-live].offline")
    texts = [f"Posted while the board was away {i}" for i in range(5)]
    for i, text in enumerate(texts):
        assert server.post_note(2 + i % 3, text, f"away-{time.time_ns()}-{i}")[0] == 201
    time.sleep(30)
    assert board.locator(".note-text", has_text="while the board was away").count() == 0
    board.context.set_offline(False)
    for text in texts:
        expect(board.locator(".note-text", has_text=text)).to_be_visible(timeout=15_000)
    seqs = board.eval_on_selector_all(".tiles .note", "els => els.map(e => Number(e.dataset.seq))")
    assert len(seqs) == len(set(seqs))


def test_a_phone_without_javascript_still_posts(server, new_page):
    server.ensure_running()
    phone = new_page(server.urls["table 5"], java_script_enabled=False, viewport={"width": 390, "height": 844})
    phone.get_by_label("Your note").fill("Written without JavaScript")
    phone.get_by_label("Your name (optional)").fill("Sam")
    phone.get_by_role("button", name="Post").click()
    expect(phone.locator(".flash-success")).to_have_text("Your note is stored.")
    expect(phone.locator(".note", has_text="Written without JavaScript")).to_contain_text("Sam")


def test_bad_input_gets_a_clear_message_on_the_phone(server, new_page):
    server.ensure_running()
    phone = online(new_page(server.urls["table 4"], viewport={"width": 390, "height": 844}))
    phone.get_by_label("Your note").fill("   ")
    phone.get_by_role("button", name="Post").click()
    expect(phone.locator("[data-post-status]")).to_have_text("Write something before posting.")
    phone.get_by_label("Your note").fill("x" * 200)
    expect(phone.locator("[data-counter]")).to_have_text("80 characters left")


def test_a_facilitator_link_runs_the_console_without_an_account(server, new_page):
    """The organiser shares the facilitator link: it opens the console, pauses and resumes the round, nothing more."""
    server.ensure_running()
    page = online(new_page(server.urls["facilitator link (console without logging in)"]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Console")
    expect(page.get_by_role("link", name=re.compile("setup$"))).to_have_count(0)
    for verb, phase in (("pause", "paused"), ("resume", "running")):
        page.locator(f"[data-round-action={verb}] button").click()
        deadline = time.monotonic() + 10
        while server.event()["current"]["phase"] != phase and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.event()["current"]["phase"] == phase
    page.goto(server.urls["organiser"])
    expect(page).to_have_url(re.compile("/login"))
