"""`flask cafe ...` commands: settings, accounts and the demo café."""
from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import click
import yaml
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from cafe import operations
from cafe.config import describe
from cafe.db import db
from cafe.models import Event, User
from cafe.errors import CafeError
from cafe.setup_data import SetupError, load_yaml

cafe_cli = AppGroup("cafe", help="Run and manage cafés.")

DEMO_EMAIL = "organiser@example.org"
DEMO_PASSWORD = "demo-cafe-2026"
DEMO_FILE = Path(__file__).parent / "data" / "demo_cafe.yaml"
DEMO_NOTES = Path(__file__).parent / "data" / "demo_notes.yaml"
DEMO_ROOM = Path(__file__).parent / "data" / "demo_room.yaml"


def init_app(app: Flask) -> None:
    """Register the `flask cafe` commands."""
    app.cli.add_command(cafe_cli)


@cafe_cli.command("settings")
def settings_command() -> None:
    """Print every setting, its current value (secrets masked) and its help."""
    for env, value, help_text in describe(current_app.config):
        click.echo(f"{env}={value}")
        click.echo(f"    {help_text}")


@cafe_cli.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="The organiser's name.")
@click.option("--generate", is_flag=True, help="Generate a password and print it instead of asking for one.")
def create_user_command(email: str, name: str, generate: bool) -> None:
    """Create an organiser account (the password is asked for, or generated and printed)."""
    password = secrets.token_urlsafe(12) if generate else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = operations.create_user(email, password, name)
    except SetupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the organiser account {user.email}.")
    if generate:
        click.echo(f"password: {password}")


@cafe_cli.command("demo")
def demo_command() -> None:
    """Load the demo café (once; a second run reuses it) and print the URLs to open."""
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = operations.create_user(DEMO_EMAIL, DEMO_PASSWORD, "Demo organiser")
    name = load_yaml(DEMO_FILE.read_bytes()).event.name
    event = db.session.scalar(select(Event).where(Event.owner_id == user.id, Event.name == name))
    if event is None:
        event = operations.import_setup(user, DEMO_FILE.read_bytes())
        room = yaml.safe_load(DEMO_ROOM.read_text(encoding="utf-8"))
        operations.import_room(event, {"questions": room["questions"][1:4]})  # asked before the day; polls to launch
    for old in [t for t in user.api_tokens if t.label == "demo"]:
        operations.revoke_api_token(user, old.id)
    token = operations.create_api_token(user, "demo")
    for label, url in demo_urls(event):
        click.echo(f"{label}: {url}")
    click.echo(f"api token: {token}")
    after = _demo_harvest(user, name)
    with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
        click.echo(f"finished café (to see the write-up): {url_for('organiser.event', code=after.code, _external=True)}")
        click.echo(f"finished café board (150 notes taking turns): {url_for('board.event', code=after.code, _external=True)}")


def _demo_harvest(user: User, name: str) -> Event:
    """The same café once it has happened: every round over, 150 notes with votes, ready to export."""
    title = f"{name} (harvest)"
    event = db.session.scalar(select(Event).where(Event.owner_id == user.id, Event.name == title))
    if event is None:
        event = operations.import_setup(user, DEMO_FILE.read_bytes())
        event.name = title
        operations.import_notes(event, yaml.safe_load(DEMO_NOTES.read_text(encoding="utf-8"))["notes"])
        operations.import_room(event, yaml.safe_load(DEMO_ROOM.read_text(encoding="utf-8")))
        operations.make_plan(event)
    return event


def demo_urls(event: Event) -> list[tuple[str, str]]:
    """The demo's URLs, each with its label, as `make demo` prints them."""
    with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
        def link(endpoint: str, **values: object) -> str:
            return url_for(endpoint, _external=True, **values)
        return [
            ("event code", event.code),
            ("organiser", link("organiser.event", code=event.code)),
            ("organiser login", f"{DEMO_EMAIL} / password {DEMO_PASSWORD}"),
            ("console", link("console.page", code=event.code)),
            ("facilitator link (console without logging in)", link("console.facilitate", token=event.facilitator_token)),
            ("board", link("board.event", code=event.code)),
            ("event phone page (polls, questions, tables)", link("activities.event", code=event.code)),
            ("polls to launch from the console", link("activities.polls", code=event.code)),
            ("question moderators", link("activities.moderator", token=event.moderator_token)),
            ("join", link("pages.index")),
            *[(f"table {t.number}", link("table.page", token=t.token)) for t in event.tables],
        ]


@cafe_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--owner", default=DEMO_EMAIL, show_default=True, help="Email of the organiser account that owns it.")
def import_command(file, owner: str) -> None:
    """Set up a new event from a setup YAML file (as the organiser page imports it) and print its URLs."""
    user = db.session.scalar(select(User).where(User.email == owner.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no organiser account {owner}: make one with `flask cafe create-user`.")
    try:
        event = operations.import_setup(user, file.read())
    except CafeError as error:
        raise click.ClickException(str(error)) from None
    for label, url in demo_urls(event):
        click.echo(f"{label}: {url}")


@cafe_cli.command("export")
@click.argument("code")
@click.argument("names", nargs=-1)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: CAFE_EXPORT_DIR, the exports/ folder).")
def export_command(code: str, names: tuple[str, ...], out_dir: Path | None) -> None:
    """Write exports of an event (all of them when no NAME is given): cards.pdf, summary.pdf, themes.xlsx ..."""
    from cafe.auth import find_event
    from cafe.export import RENDERERS, file_name, renderer, snapshot

    event = find_event(code)
    if event is None:
        raise click.ClickException(f"There is no event with the code {code}.")
    try:
        chosen = [renderer(name) for name in names or RENDERERS]
    except CafeError as error:
        raise click.ClickException(str(error)) from None
    folder = out_dir or Path(current_app.config["CAFE_EXPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    click.echo(f"Reading {event.name} ...")
    data = snapshot(event)
    for number, item in enumerate(chosen, start=1):
        click.echo(f"[{number}/{len(chosen)}] {item.name}: rendering ...", nl=False)
        started = time.perf_counter()
        path = folder / file_name(event, item.name)
        path.write_bytes(item.render(data))
        click.echo(f" written {path} ({path.stat().st_size / 1024:.0f} KB, {time.perf_counter() - started:.1f} s)")


@cafe_cli.command("plan")
@click.argument("code", required=False)
@click.option("--participants", "participants_file", type=click.File("rb"), help="Plan offline from a participants CSV.")
@click.option("--tables", type=click.IntRange(1, 999), help="Number of tables (offline planning).")
@click.option("--rounds", type=click.IntRange(1, 50), help="Number of rounds (offline planning).")
@click.option("--capacity", type=click.IntRange(1, 100), default=None, help="Seats per table (offline; default: no limit).")
@click.option("--free", is_flag=True, help="Hosts move too.")
@click.option("--seed", type=int, default=0, show_default=True, help="Another seed gives another plan of the same quality.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--make", is_flag=True, help="With CODE: make (or re-plan) the event's plan before printing it.")
def plan_command(code: str | None, participants_file, tables: int | None, rounds: int | None, capacity: int | None,
                 free: bool, seed: int, out_file: Path | None, as_json: bool, make: bool) -> None:
    """Print a rotation plan's figures: an event's (CODE), or one made offline from a participants CSV."""
    from cafe import planning

    try:
        if code:
            result = planning.event_plan(code, make=make, seed=seed)
        elif participants_file and tables and rounds:
            result = planning.offline_plan(participants_file.read(), tables, rounds, capacity=capacity, free=free, seed=seed)
        else:
            raise click.UsageError("Give an event CODE, or --participants FILE.csv with --tables and --rounds.")
    except CafeError as error:
        raise click.ClickException(str(error)) from None
    if out_file:
        out_file.write_text(result.csv)
    if as_json:
        click.echo(json.dumps(result.figures.as_dict(), indent=2))
    else:
        for key, value in result.figures.as_dict().items():
            click.echo(f"{key.replace('_', ' ')}: {value:.2f}" if isinstance(value, float) else f"{key.replace('_', ' ')}: {value}")
        if out_file:
            click.echo(f"wrote {out_file}")


@cafe_cli.command("links")
@click.argument("code")
def links_command(code: str) -> None:
    """Print each participant's personal link (their tables per round, live), one per line as NAME: URL."""
    from cafe.auth import find_event

    event = find_event(code)
    if event is None:
        raise click.ClickException(f"There is no event with the code {code}.")
    with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
        for person in event.participants:
            click.echo(f"{person.name}: {url_for('table.person', token=person.token, _external=True)}")


@cafe_cli.command("backup")
@click.argument("file", type=click.File("w", encoding="utf-8"))
def backup_command(file) -> None:
    """Write the whole database to FILE as JSON (consistent while the server runs)."""
    from cafe.backup import dump

    db.session.remove()  # read in one fresh transaction of its own
    counts = dump(file)
    click.echo(f"Backed up {sum(counts.values())} rows: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@cafe_cli.command("restore")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def restore_command(file) -> None:
    """Load a backup FILE into this new, migrated, empty database."""
    from cafe.backup import restore

    db.session.remove()  # write in one transaction of its own
    try:
        counts = restore(file)
    except CafeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {sum(counts.values())} rows.")


@cafe_cli.command("create-token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
def create_token_command(email: str, label: str) -> None:
    """Make an API token for an organiser and print it (it is shown only once)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no organiser account for {email}.")
    click.echo(operations.create_api_token(user, label))


from cafe.export import worker as _export_worker  # noqa: E402,F401  (registers `flask cafe worker`)
