"""Who may do what: organiser login, and the loaders that 404 or 403 before a view runs."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from cafe.db import db
from cafe.forms import LoginForm
from cafe.models import Event, User

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
    """The account with that email and password, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, password):
        return None
    return user


def get_event(code: str, *, check_owner: bool = True) -> Event:
    """The event with that join code (404), owned by the logged-in organiser (403)."""
    event = db.session.scalar(select(Event).where(Event.code == code.upper()))
    if event is None:
        abort(404, f"There is no event with the code {code}.")
    if check_owner and (not current_user.is_authenticated or event.owner_id != current_user.id):
        abort(403, "This event belongs to another organiser.")
    return event


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Organiser login form."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user:
            login_user(user, remember=form.remember.data)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("organiser.index"))
        flash("That email and password do not match an account.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the organiser's session."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
