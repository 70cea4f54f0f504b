"""Organiser face: events, tables, rounds, participants, and the setup file."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from cafe import operations
from cafe.auth import get_event
from cafe.db import db
from cafe.errors import CafeError
from cafe.export import RENDERERS, download
from cafe.forms import ActionForm, EventForm, ParticipantForm, ParticipantsUploadForm, RoundForm, SetupUploadForm, TableForm
from cafe.models import Event, Participant, Round, Table
from cafe.views import report
from cafe.setup_data import SetupError, dump_yaml, participants_csv

bp = Blueprint("organiser", __name__, url_prefix="/organiser")



def _failed(error: SetupError) -> None:
    """Show each problem of a refused change."""
    for message in error.messages:
        flash(message, "error")


def _form_error(form: FlaskForm) -> SetupError:
    """A refused form's field errors, each labelled with its field."""
    return SetupError([f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()])


def _back(event: Event, anchor: str = "") -> BaseResponse:
    """Redirect to the event's page, at a section."""
    return redirect(_back_url(event, anchor))


def _back_url(event: Event, anchor: str = "") -> str:
    """The event's page, at a section."""
    return url_for("organiser.event", code=event.code) + (f"#{anchor}" if anchor else "")


def _table(event: Event, number: int) -> Table:
    """The event's table with that number, or 404."""
    return event.table_by_number(number) or abort(404, f"There is no table {number}.")


def _participant(event: Event, pid: int) -> Participant:
    """The event's participant with that id, or 404."""
    person = db.session.get(Participant, pid)
    if person is None or person.event_id != event.id:
        abort(404, "There is no such participant in this event.")
    return person


def _round(event: Event, index: int) -> Round:
    """The event's round with that index, or 404."""
    return next((r for r in event.rounds if r.index == index), None) or abort(404, f"There is no round {index}.")


@bp.get("/")
def index():
    """The organiser's events."""
    events = sorted(current_user.events, key=lambda e: (e.date is None, e.date, e.name))
    return render_template("organiser/index.html", events=events, upload=SetupUploadForm(), action=ActionForm())


@bp.post("/tokens")
def create_token():
    """Make an API token; it is shown once, on the next page."""
    if ActionForm().validate_on_submit():
        token = operations.create_api_token(current_user, request.form.get("label", ""))
        flash(f"Your new API token (copy it now, it is shown only once): {token}", "success")
    return redirect(url_for("organiser.index") + "#tokens")


@bp.post("/tokens/<int:token_id>/delete")
def revoke_token(token_id: int):
    """Revoke an API token: requests bearing it are refused from now on."""
    if ActionForm().validate_on_submit():
        try:
            operations.revoke_api_token(current_user, token_id)
        except CafeError as error:
            _failed(error)
        else:
            flash("The token is revoked.", "success")
    return redirect(url_for("organiser.index") + "#tokens")


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    """Create an event."""
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = operations.create_event(current_user, form.spec())
        except SetupError as error:
            _failed(error)
        else:
            flash(f"Created '{event.name}'. Its join code is {event.code}.", "success")
            return _back(event)
    return render_template("organiser/event_form.html", form=form, event=None)


@bp.get("/events/<code>")
def event(code: str):
    """An event's setup on one page: details, tables, rounds, participants."""
    event = get_event(code)
    return render_template("organiser/event.html", event=event, action=ActionForm(),
                           round_form=RoundForm(formdata=None), exports=RENDERERS.values())


@bp.route("/events/<code>/edit", methods=["GET", "POST"])
def edit_event(code: str):
    """Change an event's details."""
    event = get_event(code)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        try:
            operations.update_event(event, form.spec())
        except SetupError as error:
            db.session.rollback()
            _failed(error)
        else:
            flash("Saved the event's details.", "success")
            return _back(event)
    return render_template("organiser/event_form.html", form=form, event=event)


@bp.post("/events/<code>/duplicate")
def duplicate_event(code: str):
    """Copy an event's setup into a new event."""
    event = get_event(code)
    if ActionForm().validate_on_submit():
        copy = operations.duplicate_event(event, current_user)
        flash(f"Created '{copy.name}' with the join code {copy.code}.", "success")
        return _back(copy)
    return _back(event)


@bp.route("/events/<code>/delete", methods=["GET", "POST"])
def delete_event(code: str):
    """Ask, then delete an event with everything it holds."""
    event = get_event(code)
    form = ActionForm()
    if form.validate_on_submit():
        name = event.name
        operations.delete_event(event)
        flash(f"Deleted '{name}'.", "success")
        return redirect(url_for("organiser.index"))
    return render_template("organiser/confirm_delete.html", event=event, form=form)


@bp.route("/events/<code>/tables/new", methods=["GET", "POST"])
@bp.route("/events/<code>/tables/<int:number>", methods=["GET", "POST"])
def table(code: str, number: int | None = None):
    """Add a table, or change one and its headings."""
    event = get_event(code)
    table = _table(event, number) if number is not None else None
    form = TableForm(obj=table, number=table.number if table else max((t.number for t in event.tables), default=0) + 1)
    if table is not None and not form.is_submitted():
        form.headings.data = "\n".join(table.heading_titles)
    if form.validate_on_submit():
        try:
            table = operations.save_table(event, form.spec(), table)
        except SetupError as error:
            db.session.rollback()
            _failed(error)
        else:
            flash(f"Saved table {table.number}, {table.theme}.", "success")
            return _back(event, "tables")
    return render_template("organiser/table_form.html", form=form, event=event, table=table)


@bp.post("/events/<code>/tables/<int:number>/delete")
def delete_table(code: str, number: int):
    """Delete a table."""
    event = get_event(code)
    table = _table(event, number)
    if ActionForm().validate_on_submit():
        return report(lambda: operations.delete_table(table), f"Deleted table {number}.", _back_url(event, "tables"))
    return _back(event, "tables")


@bp.post("/events/<code>/tables/<int:number>/move/<direction>")
def move_table(code: str, number: int, direction: str):
    """Move a table up or down the list (it takes its neighbour's number)."""
    event = get_event(code)
    table = _table(event, number)
    steps = {"up": -1, "down": 1}
    if direction not in steps:
        abort(404)
    if ActionForm().validate_on_submit():
        operations.move_table(table, steps[direction])
    return _back(event, "tables")


LINK_REPLACED = {
    "facilitator": "The facilitator link is replaced: the old one no longer opens the console.",
    "host": "The host link of table {number} is replaced: the old one no longer moderates.",
    "table": "The phone link of table {number} is replaced: print its card again, the old QR code no longer works.",
    "moderator": "The question moderators' link is replaced: the old one no longer moderates questions.",
}


@bp.post("/events/<code>/links/<kind>")
def replace_link(code: str, kind: str):
    """Replace a link that grants a role (the facilitator link, or a table's host or phone link)."""
    event = get_event(code)
    if kind not in LINK_REPLACED:
        abort(404)
    number = request.form.get("table", type=int) or 0
    table = _table(event, number) if kind != "facilitator" else None
    if not ActionForm().validate_on_submit():
        return _back(event, "links")
    return report(lambda: operations.replace_link(event, kind, table), LINK_REPLACED[kind].format(number=number),
                  url_for("organiser.event", code=event.code) + "#links")


@bp.post("/events/<code>/rounds")
@bp.post("/events/<code>/rounds/<int:index>")
def save_round(code: str, index: int | None = None):
    """Add a round, or change one."""
    event = get_event(code)
    round_ = _round(event, index) if index is not None else None
    form = RoundForm()
    if form.validate_on_submit():
        try:
            round_ = operations.save_round(event, form.spec(), round_)
            flash(f"Saved round {round_.index}.", "success")
        except SetupError as error:
            db.session.rollback()
            _failed(error)
    else:
        _failed(_form_error(form))
    return _back(event, "rounds")


@bp.post("/events/<code>/rounds/<int:index>/delete")
def delete_round(code: str, index: int):
    """Delete a round; the later ones move up."""
    event = get_event(code)
    round_ = _round(event, index)
    if ActionForm().validate_on_submit():
        return report(lambda: operations.delete_round(round_), f"Deleted round {index}.", _back_url(event, "rounds"))
    return _back(event, "rounds")


def _participants_page(event: Event, upload: ParticipantsUploadForm | None = None,
                       person: ParticipantForm | None = None) -> str:
    """The participant list page, with any forms being corrected."""
    return render_template("organiser/participants.html", event=event, action=ActionForm(),
                           upload=upload or ParticipantsUploadForm(formdata=None, prefix="upload"),
                           person=person or ParticipantForm(formdata=None, prefix="person"))


@bp.get("/events/<code>/participants")
def participants(code: str):
    """The participant list: upload a CSV, add one person, remove people."""
    return _participants_page(get_event(code))


@bp.post("/events/<code>/participants/upload")
def upload_participants(code: str):
    """Import participants from a CSV file: all rows or none."""
    event = get_event(code)
    form = ParticipantsUploadForm(prefix="upload")
    if not form.validate_on_submit():
        _failed(_form_error(form))
        return _participants_page(event, upload=form), 400
    try:
        count = operations.import_participants(event, form.file.data.read(), replace=form.mode.data == "replace")
    except SetupError as error:
        db.session.rollback()
        flash("Nothing was imported; the list is unchanged. Fix these problems and upload again:", "error")
        _failed(error)
        return _participants_page(event, upload=form), 422
    flash(f"Imported {count} participants.", "success")
    return redirect(url_for("organiser.participants", code=event.code))


@bp.post("/events/<code>/participants/add")
def add_participant(code: str):
    """Add one participant by hand."""
    event = get_event(code)
    form = ParticipantForm(prefix="person")
    try:
        if not form.validate_on_submit():
            raise _form_error(form)
        added = operations.add_participant(event, form.spec())
    except SetupError as error:
        db.session.rollback()
        _failed(error)
        return _participants_page(event, person=form), 422
    flash(f"Added {added.name}.", "success")
    return redirect(url_for("organiser.participants", code=event.code))


@bp.post("/events/<code>/participants/<int:pid>/delete")
def delete_participant(code: str, pid: int):
    """Remove one participant."""
    event = get_event(code)
    person = _participant(event, pid)
    if ActionForm().validate_on_submit():
        operations.delete_participant(person)
        flash(f"Removed {person.name}.", "success")
    return redirect(url_for("organiser.participants", code=event.code))


@bp.get("/events/<code>/participants.csv")
def participants_file(code: str):
    """The participant list as CSV, in the import's columns."""
    event = get_event(code)
    text = participants_csv(operations.read_setup(event).participants)
    return _download(text, f"{event.code}-participants.csv", "text/csv")


@bp.get("/events/<code>/setup.yaml")
def setup_file(code: str):
    """The whole setup as YAML, to run the café again."""
    event = get_event(code)
    return _download(dump_yaml(operations.read_setup(event)), f"{event.code}-setup.yaml", "application/yaml")


@bp.get("/events/<code>/exports/<name>")
def export(code: str, name: str):
    """Download an export (rendered in a child process, so live screens never wait)."""
    event = get_event(code)
    return download(event, name)


@bp.post("/import")
def import_setup():
    """Create an event from a YAML setup file."""
    form = SetupUploadForm()
    if form.validate_on_submit():
        try:
            event = operations.import_setup(current_user, form.file.data.read())
        except SetupError as error:
            db.session.rollback()
            flash("Nothing was imported. Fix the file and upload again:", "error")
            _failed(error)
        else:
            flash(f"Imported '{event.name}' with the join code {event.code}.", "success")
            return _back(event)
    else:
        _failed(_form_error(form))
    return redirect(url_for("organiser.index"))


def _download(text: str, filename: str, mimetype: str) -> Response:
    """A text file the browser saves under that name."""
    return Response(text, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/events/<code>/plan")
def plan(code: str):
    """The rotation plan: its figures, who sits where in each round, attendance, and re-planning."""
    event = get_event(code)
    return render_template("organiser/plan.html", event=event, action=ActionForm(),
                           figures=operations.plan_figures(event), played=operations.played_rounds(event),
                           rounds=[(r, operations.arrivals(event, r.index)) for r in event.rounds])


@bp.post("/events/<code>/plan")
def make_plan(code: str):
    """Make the plan, or re-plan the rounds still ahead, with the chosen seed and mode."""
    event = get_event(code)
    if ActionForm().validate_on_submit():
        try:
            figures = operations.make_plan(event, seed=request.form.get("seed", type=int) or 0,
                                           free=request.form.get("free") == "1",
                                           choices=request.form.get("mode") == "choices")
        except CafeError as error:
            db.session.rollback()
            _failed(error)
        else:
            flash(f"Planned: {figures.repeated_encounters} repeated encounters (at best "
                  f"{figures.repeat_lower_bound}), {figures.revisits} revisits.", "success")
    return redirect(url_for("organiser.plan", code=event.code))


@bp.post("/events/<code>/plan/clear")
def clear_plan(code: str):
    """Forget the plan."""
    event = get_event(code)
    if ActionForm().validate_on_submit():
        try:
            operations.clear_plan(event)
        except CafeError as error:
            _failed(error)
        else:
            flash("The plan is cleared.", "success")
    return redirect(url_for("organiser.plan", code=event.code))


@bp.post("/events/<code>/participants/<int:pid>/attendance")
def attendance(code: str, pid: int):
    """Mark someone absent or present again; re-plan afterwards to seat people around them."""
    event = get_event(code)
    person = _participant(event, pid)
    if ActionForm().validate_on_submit():
        operations.mark_absent(person, request.form.get("absent") == "1")
        flash(f"{person.name} is marked {'absent' if person.absent else 'present'}. Re-plan to update the seats.", "success")
    return redirect(url_for("organiser.plan", code=event.code) + "#attendance")
