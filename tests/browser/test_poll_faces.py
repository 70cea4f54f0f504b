"""Polls and questions in real Chromium: the console launches, a phone at 360 px answers, the board shows the result
move, the reveal reaches both, and the phone follows the switch to the questions."""
import re

import pytest
from playwright.sync_api import expect

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def online(page):
    page.wait_for_selector("[data-live].online")
    return page


@pytest.fixture
def polls(server):
    """The demo event's polls, by question."""
    status, data = server.api("GET", f"/events/{server.code}/polls", token=True)
    assert status == 200
    return {p["question"]: p for p in data["polls"]}


def launch(console, number):
    console.reload()
    console.wait_for_selector("[data-live].online")
    console.locator("[data-console-poll]").nth(number - 1).get_by_role("button", name=re.compile("^Launch")).click()
    expect(console.locator("[data-activity-now]")).to_contain_text(f"poll {number}")
    console.wait_for_selector("[data-live].online")  # the reloaded console's script listens for keys


def test_launch_answer_see_the_result_move_then_reveal(server, new_page, console, polls, tmp_path):
    board = online(new_page(server.urls["board"], **PROJECTOR))
    phone = online(new_page(f"{server.base}/e/{server.code}", **PHONE))
    launch(console, 5)
    console.keyboard.press("l")  # the next poll: the quiz, hidden until the reveal
    expect(console.locator("[data-activity-now]")).to_contain_text("poll 6")
    quiz = polls["In which year did the UK RSE community hold its first conference?"]
    expect(phone.get_by_role("heading", name=quiz["question"])).to_be_visible()
    expect(board.locator(".board-poll-question")).to_have_text(quiz["question"])
    expect(board.locator("[data-tiles]")).to_be_hidden()  # the poll takes the board in place of the tiles
    phone.get_by_label("2016").check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.locator("[data-poll-status]")).to_contain_text("Your answer is stored")
    expect(board.locator("[data-results-hidden]")).to_be_visible()  # nothing shown before the reveal
    # The console sees the hidden results as they come, from the message (it fetches nothing for them).
    expect(console.locator(f'[data-console-poll="{quiz["id"]}"] [data-results-responses]')).to_have_text("1")
    expect(phone.locator("[data-results-hidden]")).to_be_visible()
    requests = []
    phone.on("request", lambda request: requests.append(request.url))
    console.locator(f'[data-console-poll="{quiz["id"]}"]').get_by_role("button", name="Reveal the results").click()
    for page in (board, phone):
        expect(page.locator(f'[data-results="{quiz["id"]}"] .bar.correct')).to_contain_text("2016")
        expect(page.locator(f'[data-results="{quiz["id"]}"] [data-results-responses]')).to_have_text("1")
    assert requests == []  # the reveal's message carries the results: the phone asks for nothing
    # Read from the layout: the question and the bars fill the projector and are large enough for the back row.
    size = board.locator(".board-poll-question").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 48
    box = board.locator(f'[data-results="{quiz["id"]}"] meter').first.bounding_box()
    assert box["width"] > 1000
    board.screenshot(path=str(tmp_path / "board-quiz.png"))
    phone.screenshot(path=str(tmp_path / "phone-quiz.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone


def test_results_move_on_the_board_as_phones_answer(server, new_page, console, polls):
    board = online(new_page(server.urls["board"], **PROJECTOR))
    launch(console, 1)
    role = polls["What is your role?"]
    for n, option in enumerate((1, 1, 2)):
        phone = online(new_page(f"{server.base}/e/{server.code}", **PHONE))
        phone.get_by_label(role["options"][option - 1]).check()
        phone.get_by_role("button", name="Send my answer").click()
        expect(phone.locator("[data-poll-status]")).to_contain_text("Your answer is stored")
        expect(board.locator(f'[data-results="{role["id"]}"] [data-results-responses]')).to_have_text(
            str(n + 1 + (role["results"] or {"responses": 0})["responses"]))
    phone.get_by_label(role["options"][2]).check()
    phone.get_by_role("button", name="Change my answer").click()
    expect(phone.locator("[data-poll-status]")).to_contain_text("Your answer is stored")
    expect(board.locator(f'[data-results="{role["id"]}"] [data-bar="3"] [data-bar-count]')).to_contain_text("· 1")


def test_a_ranking_without_javascript_and_with_buttons(server, new_page, console, polls):
    launch(console, 4)
    ranking = polls["Rank what would help your team most"]
    phone = online(new_page(f"{server.base}/e/{server.code}", **PHONE))
    phone.get_by_role("button", name=re.compile(f"Up: {ranking['options'][2]}")).click()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.locator("[data-poll-status]")).to_contain_text("Your answer is stored")
    plain = new_page(f"{server.base}/e/{server.code}", java_script_enabled=False, **PHONE)
    for position, place in ((1, "4"), (2, "3"), (3, "2"), (4, "1")):
        plain.locator(f'select[name="place-{position}"]').select_option(place)
    plain.get_by_role("button", name="Send my answer").click()
    expect(plain.locator(".flash-success")).to_have_text("Your answer is stored.")
    expect(plain.locator(f'[data-results="{ranking["id"]}"] [data-results-responses]')).to_have_text("2")


def test_the_phone_follows_the_switch_to_questions(server, new_page, console, tmp_path):
    phone = online(new_page(f"{server.base}/e/{server.code}", **PHONE))
    board = online(new_page(server.urls["board"], **PROJECTOR))
    console.reload()
    console.wait_for_selector("[data-live].online")
    console.keyboard.press("q")
    expect(phone.get_by_role("heading", name="Questions")).to_be_visible()
    phone.get_by_label("Your question").fill("Will the slides be shared afterwards?")
    phone.get_by_role("button", name="Ask").click()
    expect(phone.locator("[data-ask-status]")).to_have_text("Your question is stored.")
    item = phone.locator(".question-item", has_text="slides be shared")
    expect(item).to_be_visible()
    expect(board.locator(".question-item", has_text="slides be shared")).to_be_visible()
    item.get_by_role("button", name="Upvote").click()
    expect(item.locator("[data-question-votes]")).to_have_text("1 vote")
    expect(item.get_by_role("button", name="Take my vote back")).to_be_visible()
    expect(board.locator(".question-item", has_text="slides be shared")).to_contain_text("1 vote")
    phone.screenshot(path=str(tmp_path / "phone-qa.png"), full_page=True)
    board.screenshot(path=str(tmp_path / "board-qa.png"))
    listed = server.api("GET", f"/events/{server.code}/questions?order=newest", token=True)[1]["questions"]
    mine = next(q for q in listed if "slides be shared" in q["text"])
    assert server.api("POST", f"/events/{server.code}/questions/{mine['id']}/pin", token=True)[0] == 200
    expect(board.locator("[data-pinned-question]")).to_contain_text("slides be shared")
    expect(phone.locator(".question-item.pinned", has_text="slides be shared")).to_contain_text("on the board")
    console.reload()
    console.wait_for_selector("[data-live].online")
    console.keyboard.press("b")
    expect(board.locator("[data-tiles]")).to_be_visible()
    expect(phone.locator("[data-activity]")).to_be_hidden()


def test_an_answer_and_a_question_sent_offline_wait_and_are_stored_once(server, new_page, console, polls):
    launch(console, 2)
    challenges = polls["Which challenges do you meet most? Pick up to three."]
    phone = online(new_page(f"{server.base}/e/{server.code}", **PHONE))
    phone.context.set_offline(True)
    phone.get_by_label(challenges["options"][0]).check()
    phone.get_by_label(challenges["options"][3]).check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.locator("[data-poll-status]")).to_contain_text("Waiting for the network")
    before = server.api("GET", f"/events/{server.code}/polls/{challenges['id']}/results")[1]["results"]["responses"]
    phone.context.set_offline(False)
    expect(phone.locator("[data-poll-status]")).to_contain_text("Your answer is stored", timeout=40_000)
    after = server.api("GET", f"/events/{server.code}/polls/{challenges['id']}/results")[1]["results"]
    assert after["responses"] == before + 1
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")  # a second flush sends nothing again
    phone.wait_for_timeout(500)
    assert server.api("GET", f"/events/{server.code}/polls/{challenges['id']}/results")[1]["results"]["responses"] == before + 1
