"""Every face audited with axe-core (from npm) in real Chromium against WCAG 2.2 A and AA and axe's best practices."""
import os
import time
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AUDIT = """async (rules) => (await axe.run(document, { runOnly: rules })).violations.map(
  (v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)"""
# Named demo links, and paths of the demo event ({code}); "host" is a table host's page, linked from the event page.
PAGES = ["join", "table 1", "board", "console", "organiser", "host", "/board/{code}/tables/1", "/board/{code}/words",
         "/organiser/", "/organiser/events/{code}/participants", "/organiser/events/{code}/plan",
         "/organiser/events/{code}/tables/1", "/organiser/events/{code}/edit", "/t/not-a-table",
         "event phone page (polls, questions, tables)", "polls to launch from the console",
         "question moderators", "/e/{code}/questions"]


@pytest.fixture(scope="module")
def axe():
    """axe-core's script, installed by npm with the other browser libraries."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core must be installed under CI (make test runs npm ci)")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("width", [390, 1366])
def test_every_face_passes_an_accessibility_audit(server, console, axe, page, width):
    server.ensure_running()
    server.post_note(1, "A note for the audit, with a vote button", f"audit-{time.time_ns()}")
    console.set_viewport_size({"width": width, "height": 800})
    if page == "host":
        console.goto(server.urls["organiser"])
        url = console.locator("code.link", has_text="/h/").first.inner_text()
    else:
        url = server.urls.get(page) or server.base + page.format(code=server.code)
    console.goto(url)
    # The page's CSP allows no script of ours to be added: axe runs through the browser's own evaluation instead.
    console.evaluate(axe)
    assert console.evaluate(AUDIT, RULES) == [], f"{url} at {width} px"


def test_every_launched_activity_passes_an_accessibility_audit(server, console, new_page, axe):
    """Each kind of poll and the questions, as they arrive live on a phone (390 px, then with an answer), on the
    board and on the console."""
    server.ensure_running()
    polls = server.api("GET", f"/events/{server.code}/polls", token=True)[1]["polls"]
    phone = new_page(f"{server.base}/e/{server.code}", viewport={"width": 390, "height": 800})
    board = new_page(server.urls["board"], viewport={"width": 1366, "height": 768})
    for page in (phone, board):
        page.wait_for_selector("[data-live].online")
        page.evaluate(axe)
    for poll in [*polls, None]:
        body = {"activity": "poll", "poll": poll["id"]} if poll else {"activity": "questions"}
        assert server.api("POST", f"/events/{server.code}/activity", body, token=True)[0] == 200
        shown = f'[data-poll="{poll["id"]}"]' if poll else "[data-qa]"
        for page in (phone, board):
            page.wait_for_selector(shown)
            assert page.evaluate(AUDIT, RULES) == [], f"{page.url} showing {body}"
        form = phone.locator("[data-poll-form]")
        if poll and form.count():
            for locator in ("input[type=radio]", "input[type=checkbox]"):
                if form.locator(locator).count():
                    form.locator(locator).first.check()
            if form.locator("input[name=text]").count():
                form.locator("input[name=text]").fill("audit")
            form.locator("[data-answer-button]").click()
            phone.wait_for_selector("[data-poll-status]:has-text('stored')")
            assert phone.evaluate(AUDIT, RULES) == [], f"{phone.url} after answering {body}"
    console.reload()
    console.evaluate(axe)
    assert console.evaluate(AUDIT, RULES) == [], "the console with polls answered and the questions launched"
    server.api("POST", f"/events/{server.code}/activity", {"activity": "cafe"}, token=True)
