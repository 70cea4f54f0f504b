"""The front page and the error pages every face shares."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

bp = Blueprint("pages", __name__)


def init_app(app: Flask) -> None:
    """Register the front page and the error handlers."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)


@bp.get("/")
def index():
    """The front page: organisers go to their events."""
    return redirect(url_for("organiser.index"))


def _http_error(error: HTTPException):
    """An error page that says what went wrong in words."""
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config["CAFE_MAX_UPLOAD_MB"]
        description = f"That file is too large: the limit is {limit:g} MB. Nothing was stored."
    elif isinstance(error, CSRFError):
        description = "The form expired or came from another site. Go back, reload the page and try again."
    else:
        description = error.description
    return render_template("error.html", code=error.code, name=error.name, description=description), error.code or 500
