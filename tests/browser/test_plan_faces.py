"""The rotation plan in real Chromium: a phone shows its person's next table; the board lists arrivals."""
from playwright.sync_api import expect


def test_phone_shows_next_table_and_board_lists_arrivals(server, new_page):
    server.flask("cafe", "plan", server.code, "--make")
    status = server.event()["current"]["phase"]
    if status in ("running", "paused"):
        server.control("end")
    elif status == "waiting":
        server.control("start")
        server.control("end")
    next_round = server.event()["current"]["next_round"]
    plan = server.flask("cafe", "plan", server.code, "--out", "/dev/stdout").splitlines()
    header = plan[0].split(",")
    column = header.index(f"round {next_round}")
    rows = [line.split(",") for line in plan[1:] if "," in line and not line.startswith("name,")]
    name, table = next((r[0], r[column]) for r in rows if r[column])
    theme = server.event()["tables"][int(table) - 1]["theme"]

    board = new_page(server.urls["board"], viewport={"width": 1920, "height": 1080})
    board.wait_for_selector("[data-live].online")
    move_now = board.locator("[data-move-now]")
    expect(move_now).to_be_visible()
    expect(move_now.locator(".arrival-list")).to_contain_text(name)

    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    person_links = server.flask("cafe", "links", server.code)
    url = next(line.split(": ", 1)[1] for line in person_links.splitlines() if line.startswith(f"{name}: "))
    phone.goto(url)
    expect(phone.locator(".next-seat")).to_contain_text(f"Round {next_round}: go to table {table}, {theme}")
