"""`flask cafe ...` commands."""
from sqlalchemy import func, select

from cafe.cli import DEMO_EMAIL
from cafe.db import db
from cafe.models import Event, User


def test_settings_lists_every_setting_with_secrets_masked(runner):
    result = runner.invoke(args=["cafe", "settings"])
    assert result.exit_code == 0
    assert "CAFE_DATABASE_URL=sqlite:///" in result.output
    assert "CAFE_SECRET_KEY=********" in result.output and "test-secret" not in result.output
    assert "CAFE_PUBLIC_URL=http://cafe.test" in result.output
    assert "CAFE_MESSAGE_QUEUE=(empty)" in result.output


def test_create_user_with_prompted_password(runner):
    result = runner.invoke(args=["cafe", "create-user", "Grace@Example.org"], input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.email)) == "grace@example.org"


def test_create_user_with_generated_password_can_log_in(runner, client):
    result = runner.invoke(args=["cafe", "create-user", "grace@example.org", "--generate"])
    password = result.output.split("password: ")[1].strip()
    response = client.post("/login", data={"email": "grace@example.org", "password": password})
    assert response.status_code == 302


def test_create_user_refuses_duplicates(runner, user):
    result = runner.invoke(args=["cafe", "create-user", user.email, "--generate"])
    assert result.exit_code != 0 and "already an account" in result.output


def test_demo_loads_once_and_prints_urls(runner):
    first = runner.invoke(args=["cafe", "demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["cafe", "demo"])
    without_token = [line for line in first.output.splitlines() if not line.startswith("api token: ")]
    assert without_token == [line for line in second.output.splitlines() if not line.startswith("api token: ")]
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert len(events) == 2  # the café to run live, and the same café after it happened
    event, after = events
    assert after.status.value == "harvest" and after.last_seq == 150 and all(r.state.value == "ended" for r in after.rounds)
    assert 6 <= len(event.tables) <= 8 and 3 <= len(event.rounds) <= 4 and 30 <= len(event.participants) <= 60
    assert all(2 <= len(t.headings) <= 4 and t.host for t in event.tables)
    lines = dict(line.split(": ", 1) for line in first.output.splitlines())
    assert lines["organiser"] == f"http://cafe.test/organiser/events/{event.code}"
    assert lines["event code"] == event.code
    assert DEMO_EMAIL in lines["organiser login"]
    assert lines["console"] == f"http://cafe.test/console/{event.code}"
    assert lines["board"] == f"http://cafe.test/board/{event.code}"
    assert lines["table 1"] == f"http://cafe.test/t/{event.tables[0].token}"
    assert lines["api token"].startswith("cafe_")
    assert lines["finished café (to see the write-up)"] == f"http://cafe.test/organiser/events/{after.code}"
    assert lines["finished café board (150 notes taking turns)"] == f"http://cafe.test/board/{after.code}"
    assert len(db.session.scalars(select(User)).one().api_tokens) == 1  # a second run replaces the demo token


def test_create_token_prints_a_working_token(runner, client, user, create_event):
    event = create_event(owner=user)
    token = runner.invoke(args=["cafe", "create-token", user.email]).output.strip()
    response = client.post(f"/api/v1/events/{event.code}/rounds/current/start", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert runner.invoke(args=["cafe", "create-token", "nobody@example.org"]).exit_code != 0


def test_links_prints_each_persons_own_page(runner, create_event, client):
    event = create_event(participants=3)
    lines = runner.invoke(args=["cafe", "links", event.code]).output.splitlines()
    assert [line.split(": ")[0] for line in lines] == [p.name for p in event.participants]
    url = lines[0].split(": ", 1)[1]
    assert url.startswith("http://cafe.test/p/") and client.get(url.removeprefix("http://cafe.test")).status_code == 200


def test_import_sets_up_an_event_from_a_setup_file_and_prints_its_links(runner, user, tmp_path):
    setup = tmp_path / "cafe.yaml"
    setup.write_text("cafe_setup: 1\nevent:\n  name: Imported café\ntables:\n  - number: 1\n    theme: Careers\n"
                     "    headings: [Blockers, Ideas]\nrounds:\n  - minutes: 10\n", encoding="utf-8")
    result = runner.invoke(args=["cafe", "import", str(setup), "--owner", user.email.upper()])
    assert result.exit_code == 0, result.output
    links = dict(line.split(": ", 1) for line in result.output.splitlines())
    event = db.session.scalar(select(Event).where(Event.code == links["event code"]))
    assert event.name == "Imported café" and event.owner_id == user.id and [t.theme for t in event.tables] == ["Careers"]
    assert links["board"].endswith(f"/board/{event.code}")


def test_import_names_what_is_wrong_and_stores_nothing(runner, user, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cafe_setup: 1\nevent: {}\n", encoding="utf-8")
    before = db.session.scalar(select(func.count()).select_from(Event))
    result = runner.invoke(args=["cafe", "import", str(bad), "--owner", user.email])
    assert result.exit_code == 1 and "name" in result.output.lower()
    assert db.session.scalar(select(func.count()).select_from(Event)) == before
    nobody = runner.invoke(args=["cafe", "import", str(bad), "--owner", "nobody@example.org"])
    assert nobody.exit_code == 1 and "no organiser account nobody@example.org" in nobody.output
