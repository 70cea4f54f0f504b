"""Web forms: they parse fields and carry the CSRF token; operations decide what is valid."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from cafe.setup_data import EventSpec, ParticipantSpec, RoundSpec, TableSpec


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):
    """Organiser login."""

    email = EmailField("Email", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])
    remember = BooleanField("Keep me logged in on this device")


class EventForm(FlaskForm):
    """An event's own fields."""

    name = StringField("Event name", validators=[InputRequired()])
    date = DateField("Date", validators=[Optional()])
    venue = StringField("Venue")
    description = TextAreaField("Description")

    def spec(self) -> EventSpec:
        """The fields as an EventSpec."""
        return EventSpec(name=self.name.data or "", date=self.date.data, venue=self.venue.data or "",
                         description=self.description.data or "")


class TableForm(FlaskForm):
    """A table's fields; headings one per line."""

    number = IntegerField("Table number", validators=[InputRequired(), NumberRange(1, 999)])
    theme = StringField("Theme", validators=[InputRequired()])
    host = StringField("Host")
    question = TextAreaField("Question")
    capacity = IntegerField("Seats", default=8, validators=[InputRequired(), NumberRange(1, 100)])
    headings = TextAreaField("Headings, one per line", validators=[InputRequired()])

    def spec(self) -> TableSpec:
        """The fields as a TableSpec."""
        lines = [line.strip() for line in (self.headings.data or "").splitlines()]
        return TableSpec(number=self.number.data or 0, theme=self.theme.data or "", host=self.host.data or "",
                         question=self.question.data or "", capacity=self.capacity.data or 0,
                         headings=[line for line in lines if line])


class RoundForm(FlaskForm):
    """A round's fields."""

    minutes = IntegerField("Minutes", default=20, validators=[InputRequired(), NumberRange(1, 240)])
    buffer_seconds = IntegerField("Switching buffer (seconds)", default=60, validators=[InputRequired(), NumberRange(0, 900)])
    question = StringField("Question for this round (optional)")

    def spec(self) -> RoundSpec:
        """The fields as a RoundSpec."""
        return RoundSpec(minutes=self.minutes.data or 0, buffer_seconds=self.buffer_seconds.data or 0,
                         question=self.question.data or "")


class ParticipantForm(FlaskForm):
    """One participant, added by hand."""

    name = StringField("Name", validators=[InputRequired()])
    organisation = StringField("Organisation")
    role = StringField("Role")
    email = StringField("Email (optional)")
    host_of_table = IntegerField("Hosts table number (optional)", validators=[Optional()])
    does_not_move = BooleanField("Does not move between tables")

    def spec(self) -> ParticipantSpec:
        """The fields as a ParticipantSpec."""
        return ParticipantSpec(name=self.name.data or "", organisation=self.organisation.data or "",
                               role=self.role.data or "", email=self.email.data or None,
                               host_of_table=self.host_of_table.data, does_not_move=bool(self.does_not_move.data))


class ParticipantsUploadForm(FlaskForm):
    """A participants CSV file."""

    file = FileField("Participants CSV file", validators=[FileRequired("Choose a CSV file to upload.")])
    mode = RadioField("What to do with the list", default="add",
                      choices=[SelectChoice("add", "Add to the current list"),
                               SelectChoice("replace", "Replace the current list")])


class SetupUploadForm(FlaskForm):
    """A YAML setup file exported from cafe."""

    file = FileField("Setup file (YAML)", validators=[FileRequired("Choose a YAML setup file to upload.")])
