"""The one place requests and socket events are checked against cafe.roles, before any view or handler runs."""
from __future__ import annotations

import hmac

from flask import Flask, abort, flash, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

# Modules, not names: cafe.live imports this module while cafe.auth and cafe.operations are still loading.
from cafe import auth, operations
from cafe.db import db
from cafe.models import Event, Table, User
from cafe.roles import Action, Role, action_of, permits, refusal, roles_held

ANYONE = roles_held(organiser=False, facilitator=False, host=False)
GRANTS = "facilitates"  # session key: {event id: the facilitator link's token when it was opened}


def init_app(app: Flask) -> None:
    """Check every request before its view; templates may ask `may(action, event)` to show only what works."""
    app.before_request(authorize)
    app.jinja_env.globals["may"] = lambda action, event: may(Action(action), event)


def requester() -> User | None:
    """Who is acting: the API's bearer token on /api/v1 (never a cookie there), else the logged-in organiser."""
    if request.blueprint == "api":
        if "cafe.api_user" not in request.environ:  # looked up once per request
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            user = operations.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
            request.environ["cafe.api_user"] = user
        return request.environ["cafe.api_user"]
    return current_user if current_user.is_authenticated else None


def grant_facilitator(event: Event) -> None:
    """Remember in this browser's session that it opened the event's facilitator link."""
    session[GRANTS] = {**session.get(GRANTS, {}), str(event.id): event.facilitator_token}


def facilitates(event: Event) -> bool:
    """Whether this session opened the event's current facilitator link (a replaced link no longer counts)."""
    held = session.get(GRANTS, {}).get(str(event.id), "") if request.blueprint != "api" else ""
    return bool(held) and hmac.compare_digest(held, event.facilitator_token)


def roles_in(event: Event, host_table: Table | None = None, *, moderator: bool = False) -> frozenset[Role]:
    """The roles the current request holds in an event (host_table: the table whose host link it came through;
    moderator: it came through the event's question moderators' link)."""
    user = requester()
    return roles_held(organiser=user is not None and event.owner_id == user.id, facilitator=facilitates(event),
                      host=host_table is not None and host_table.event_id == event.id, moderator=moderator)


def may(action: Action, event: Event) -> bool:
    """Whether the current request or socket may perform the action in the event."""
    return permits(roles_in(event), action)


def _subject(action: Action) -> tuple[Event, Table | None, bool]:
    """The event a request acts in (404 when there is none), the table of a host link, and whether it came through
    the moderators' link."""
    args = request.view_args or {}
    if action is Action.MODERATE_TABLE:
        table = auth.get_host_table(str(args.get("token", "")))
        return table.event, table, False
    if action is Action.MODERATE_QUESTIONS and "token" in args:
        return auth.get_moderated_event(str(args["token"])), None, True
    return auth.get_event(str(args.get("code", ""))), None, False


def authorize() -> Response | None:
    """Refuse the request unless its route's action is allowed to the roles the requester holds."""
    if request.endpoint is None:  # no such route: Flask answers 404 or 405
        return None
    action = action_of(request.endpoint)
    if action is None:
        abort(403, "This page's permissions are not declared, so it is refused.")
    if action is Action.PUBLIC:
        return None
    if action is Action.ACCOUNT:
        return None if requester() is not None else _refuse(action, signed_in=False)
    if permits(ANYONE, action):
        return None  # what anyone holding the join code may do needs no lookup (the view 404s a wrong code)
    event, host_table, moderator = _subject(action)
    allowed = permits(roles_in(event, host_table, moderator=moderator), action)
    # End the check's read: on SQLite a transaction holds the write lock, and a rate limit may wait before the view.
    db.session.commit()
    if allowed:
        return None
    stale = str(event.id) in session.get(GRANTS, {}) and not facilitates(event)
    return _refuse(action, signed_in=requester() is not None, stale_link=stale)


def _refuse(action: Action, *, signed_in: bool, stale_link: bool = False) -> Response:
    """401 or 403 as JSON on the API; on pages, the login form for someone not logged in, else 403."""
    if request.blueprint == "api":
        from cafe.pages import error_json  # the error pages' module needs this one loaded first

        if not signed_in:
            return error_json(401, "unauthorized", "Send a valid API token: 'Authorization: Bearer <token>'.")
        return error_json(403, "forbidden", refusal(action))
    if stale_link:
        flash("This event's facilitator link was replaced: ask its organiser for the new one.", "error")
    if not signed_in and action in (Action.ACCOUNT, Action.RUN, Action.SET_UP):
        return auth.login_manager.unauthorized()
    abort(403, refusal(action))
