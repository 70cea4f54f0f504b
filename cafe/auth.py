"""Organiser login, and the loaders that 404 when a code or link matches nothing (permissions: cafe.permissions)."""
from __future__ import annotations

import math
import time

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from cafe import limits, operations
from cafe.db import db
from cafe.forms import LoginForm
from cafe.models import Event, Table, User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."

# Checked when no account matches, so a wrong email costs as much time as a wrong password.
_DUMMY_HASH = "scrypt:32768:8:1$a6yC8m2LsTZx2z3E$" + "0" * 128


def init_app(app: Flask) -> None:
    """Bind the login manager and the login pages."""
    login_manager.init_app(app)
    app.register_blueprint(bp)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The account stored in the session."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def authenticate(email: str, password: str) -> User | None:
    """The account with that email and password, or None; failures in a row lock the account for a while."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is not None:
        operations.record_login(user, ok, lock_minutes=current_app.config["CAFE_LOGIN_LOCK_MINUTES"])
    return user if ok else None


def locked_minutes(email: str) -> int:
    """Minutes left on an account's lock (0 when it is not locked)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    left = (user.locked_until or 0) - time.time() if user else 0
    return math.ceil(left / 60) if left > 0 else 0


def find_event(code: str) -> Event | None:
    """The event with that join code, typed in any case."""
    return db.session.scalar(select(Event).where(Event.code == code.strip().upper()))


def get_event(code: str) -> Event:
    """The event with that join code (404); who may act on it was checked before the view (cafe.permissions)."""
    event = find_event(code)
    if event is None:
        abort(404, f"There is no event with the code {code}.")
    return event


def get_table(token: str) -> Table:
    """The table a QR link points to (404)."""
    table = db.session.scalar(select(Table).where(Table.token == token))
    if table is None:
        abort(404, "This table link is not valid. Type the event's join code on the front page instead.")
    return table


def get_host_table(token: str) -> Table:
    """The table a host link moderates (404)."""
    table = db.session.scalar(select(Table).where(Table.host_token == token))
    if table is None:
        abort(404, "This host link is not valid (it may have been replaced).")
    return table


def get_moderated_event(token: str) -> Event:
    """The event whose question moderators' link this is (404)."""
    event = db.session.scalar(select(Event).where(Event.moderator_token == token))
    if event is None:
        abort(404, "This moderator link is not valid (it may have been replaced): ask the organiser for the new one.")
    return event


@bp.route("/login", methods=["GET", "POST"])
@limits.logins
def login():
    """Organiser login form."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        locked = locked_minutes(email)
        user = authenticate(email, form.password.data or "") if not locked else None
        if locked:
            flash(f"Too many failed logins: this account is locked for {locked} more minute"
                  f"{'s' if locked != 1 else ''}. Try again later.", "error")
        elif user:
            login_user(user, remember=form.remember.data)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("organiser.index"))
        else:
            flash("That email and password do not match an account.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the organiser's session."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
