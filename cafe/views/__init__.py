"""Blueprints, one module per face, and the one way a form's change reports back."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from cafe.db import db
from cafe.errors import CafeError


def safe_back(fallback: str) -> str:
    """Where a form asked to return to (`back`), when it is a path on this site; else the fallback."""
    target = request.form.get("back", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


def report(change: Callable[[], Any], success: str | Callable[[Any], str], back: str) -> Response:
    """Run one change from a form, flash how it went (each problem, or success), and go back."""
    try:
        result = change()
    except CafeError as error:
        db.session.rollback()
        for text in error.messages:
            flash(text, "error")
    else:
        flash(success(result) if callable(success) else success, "success")
    return redirect(safe_back(back))
