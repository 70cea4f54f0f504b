"""The front page (join by code), the table picker, QR codes, and the error pages every face shares."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint, Flask, Response, abort, current_app, jsonify, make_response, redirect, render_template, request,
    send_from_directory, url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from cafe import limits
from cafe.auth import find_event, get_event, get_table
from cafe.config import ROOT
from cafe.db import db
from cafe.errors import CafeError

bp = Blueprint("pages", __name__)


def init_app(app: Flask) -> None:
    """Register the front page and the error handlers."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CafeError, _cafe_error)
    app.register_error_handler(OperationalError, _database_away)


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL on the public base URL, as printed and put in QR codes."""
    return current_app.config["CAFE_PUBLIC_URL"] + url_for(endpoint, **values)


def qr_svg(data: str) -> Response:
    """A QR code as an SVG image (scales to any size on screens and paper)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


VENDOR = {"socket.io.min.js": ROOT / "node_modules" / "socket.io-client" / "dist"}


@bp.get("/vendor/<filename>")
def vendor(filename: str):
    """Browser libraries installed by npm at install time, served from our own origin (no CDN)."""
    folder = VENDOR.get(filename)
    if folder is None or not (folder / filename).exists():
        abort(404, "This browser library is not installed; run make to install it.")
    return send_from_directory(folder, filename, max_age=86400)


@bp.get("/")
def index():
    """The front page: type the join code from the screen."""
    return render_template("pages/join.html", code=request.args.get("code", ""))


@bp.get("/join")
def join():
    """Go to the event whose code was typed, or say that no event has it."""
    code = request.args.get("code", "").strip().replace(" ", "").replace("-", "")
    event = find_event(code) if code else None
    if event is None:
        message = "Type the 6-character code shown on the screen." if not code else f"No event has the code {code.upper()}. Check the screen and try again."
        return render_template("pages/join.html", code=code, error=message), 404 if code else 400
    return redirect(url_for("activities.event", code=event.code))


@bp.get("/e/<code>/join.svg")
def join_qr(code: str):
    """The QR code that opens the event's table picker."""
    event = get_event(code)
    return qr_svg(public_url("activities.event", code=event.code))


@bp.get("/t/<token>/qr.svg")
def table_qr(token: str):
    """The QR code that opens a table's phone page."""
    return qr_svg(public_url("table.page", token=get_table(token).token))


def _wants_json() -> bool:
    """Whether the client asked for JSON (the API, or a script's fetch)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_json(status: int, code: str, message: str, details: list[str] | None = None) -> Response:
    """The API's error shape: {"error": {"code", "message", "details"?}}."""
    body: dict = {"code": code, "message": message}
    if details and len(details) > 1:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    return response


def _http_error(error: HTTPException):
    """An error page that says what went wrong in words (JSON for the API)."""
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config["CAFE_MAX_UPLOAD_MB"]
        description = f"That is too large: the limit is {limit:g} MB. Nothing was stored."
    elif isinstance(error, CSRFError):
        description = "The form expired or came from another site. Go back, reload the page and try again."
    else:
        description = error.description or ""
    status = error.code or 500
    if status >= 500:
        db.session.rollback()  # an unexpected failure may have left the transaction broken; the page still loads a user
    if _wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_json(status, code, description)
    else:
        response = make_response(render_template("error.html", code=status, name=error.name,
                                                 description=description), status)
    if status == 429:
        response.headers["Retry-After"] = str(limits.retry_after())
    return response


def _database_away(error: OperationalError):
    """The database is restarting or unreachable: nothing was stored, and the client should try again soon."""
    current_app.logger.warning("database unavailable: %s", error.orig)
    db.session.rollback()
    db.session.close()
    message = "The server cannot reach its database just now; nothing was lost. Try again in a few seconds."
    if _wants_json():
        response = error_json(503, "unavailable", message)
    else:
        response = make_response(render_template("error.html", code=503, name="Try again", description=message), 503)
    response.headers["Retry-After"] = "5"
    return response


def _cafe_error(error: CafeError):
    """A refused change, as JSON or as an error page."""
    if _wants_json():
        return error_json(error.status, error.code, " ".join(error.messages), error.messages)
    return render_template("error.html", code=error.status, name="Not possible", description=" ".join(error.messages)), error.status
