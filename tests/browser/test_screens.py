"""How the faces fit their screens in real Chromium: the board on a projector, phones at 360 px, the console."""
import re
import time

import pytest
from playwright.sync_api import expect

FITS = """() => {
  const outside = [...document.querySelectorAll("[data-tile]")].filter((tile) => {
    const box = tile.getBoundingClientRect();
    return box.top < 0 || box.left < 0 || box.bottom > innerHeight + 1 || box.right > innerWidth + 1;
  }).map((tile) => tile.dataset.tile);
  return { outside, tiles: document.querySelectorAll("[data-tile]").length, height: document.documentElement.scrollHeight,
           text: parseFloat(getComputedStyle(document.querySelector(".note-text")).fontSize) };
}"""

SMALL_CONTROLS = """() => [...document.querySelectorAll("input[type=radio], input[type=checkbox], button, a.button")]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
  .filter(([, box]) => box.width < 24 || box.height < 24).map(([html]) => html)"""


def online(page):
    page.wait_for_selector("[data-live].online")
    return page


def public_count(server, table):
    """How many public notes a table has, from the API."""
    return len(server.api("GET", f"/events/{server.code}/notes?table={table}&limit=1000")[1]["notes"])


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_the_board_shows_every_table_on_one_screen_with_its_real_count(server, new_page, width, height):
    server.ensure_running()
    for i in range(14 - public_count(server, 1)):  # more than a tile can show
        server.post_note(1, f"Filling table one's tile, note {i}: the queue is too long for students", f"fill-{time.time_ns()}")
    board = online(new_page(server.urls["board"], viewport={"width": width, "height": height}))
    seen = board.evaluate(FITS)
    assert seen["tiles"] == len(server.event()["tables"]) and seen["outside"] == [], seen
    assert seen["height"] <= height, f"the board is {seen['height']} px high on a {height} px screen"
    # 24 px at 1080 high, scaled: the same share of the projected picture, so the same size on the wall.
    assert seen["text"] >= 24 * height / 1080, f"notes in {seen['text']} px type cannot be read from the back of a room"
    count = board.locator('[data-tile="1"] [data-count]')
    expect(count).to_have_text(f"{public_count(server, 1)} notes")
    before = public_count(server, 1)
    server.post_note(1, "One more, live", f"live-{time.time_ns()}")
    expect(count).to_have_text(f"{before + 1} notes")


def test_a_paused_round_looks_paused_on_the_board(server, new_page):
    server.ensure_running()
    board = online(new_page(server.urls["board"], viewport={"width": 1920, "height": 1080}))
    running = board.eval_on_selector("[data-clock]", "el => getComputedStyle(el).boxShadow + getComputedStyle(el).backgroundColor")
    server.control("pause")
    try:
        expect(board.locator("[data-clock-label]")).to_contain_text("paused")
        paused = board.eval_on_selector("[data-clock]", "el => getComputedStyle(el).boxShadow + getComputedStyle(el).backgroundColor")
        assert paused != running
    finally:
        server.control("resume")


def test_the_phone_says_why_it_cannot_post_and_greys_the_button(server, new_page):
    server.ensure_running()
    phone = online(new_page(server.urls["table 2"], viewport={"width": 360, "height": 740}, is_mobile=True))
    post = phone.get_by_role("button", name="Post")
    expect(post).to_be_enabled()
    server.control("end")
    try:
        expect(phone.locator("[data-post-status]")).to_have_text(re.compile("^Time to move to your next table"))
        expect(post).to_be_disabled()
        colours = post.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colours != "rgb(11, 92, 74)", "a disabled Post button looks like an enabled one"
    finally:
        server.control("start")
    expect(post).to_be_enabled()
    expect(phone.locator("[data-post-status]")).to_have_text("")


PHONE_SIZED = ["table 1", "join", "organiser", "console", "board", "host", "/organiser/",
               "/organiser/events/{code}/participants", "/organiser/events/{code}/plan"]


@pytest.mark.parametrize("page", PHONE_SIZED)
def test_pages_fit_a_small_phone_with_controls_big_enough_to_tap(server, console, page):
    console.set_viewport_size({"width": 360, "height": 740})
    if page == "host":  # a table host's moderation page: its link is on the event page
        console.goto(server.urls["organiser"])
        url = console.locator("code.link", has_text="/h/").first.inner_text()
    else:
        url = server.urls.get(page) or server.base + page.format(code=server.code)
    console.goto(url)
    assert console.evaluate("document.documentElement.scrollWidth") <= 360, f"{url} scrolls sideways at 360 px"
    assert console.evaluate(SMALL_CONTROLS) == [], f"{url} has controls smaller than 24 by 24 px"


def test_console_shortcuts_can_be_turned_off_and_the_rounds_list_follows_the_clock(server, console):
    server.ensure_running()
    index = server.event()["current"]["round"]
    box = console.get_by_label("Single-key shortcuts (remembered in this browser)")
    box.uncheck()
    console.locator("h1").click()
    console.keyboard.press("p")
    time.sleep(1)
    assert server.event()["current"]["phase"] == "running", "a shortcut paused the round though they were off"
    console.reload()
    online(console)
    expect(box).not_to_be_checked()
    box.check()
    console.locator("h1").click()
    console.keyboard.press("e")
    expect(console.locator("[data-rounds] li").nth(index - 1)).to_contain_text("ended")
    server.control("start")


def test_a_tile_count_follows_a_change_to_a_note_no_longer_on_the_board(server, new_page, console):
    server.ensure_running()
    first = server.post_note(1, "Soon pushed off the tile", f"old-{time.time_ns()}")[1]["seq"]
    for i in range(13):
        server.post_note(1, f"Pushing the old one off, note {i}", f"push-{time.time_ns()}")
    board = online(new_page(server.urls["board"], viewport={"width": 1920, "height": 1080}))
    count = board.locator('[data-tile="1"] [data-count]')
    before = public_count(server, 1)
    expect(count).to_have_text(f"{before} notes")
    console.reload()
    console.locator(f"#console-note-{first}").get_by_role("button", name="Hide").click()
    expect(count).to_have_text(f"{before - 1} notes", timeout=5000)
