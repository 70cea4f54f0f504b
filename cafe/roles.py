"""Who may do what, in one table: the roles, the actions each allows, and the action of every route and socket event.

Pure data and functions, no Flask: cafe.auth works out which roles a request holds and checks them here before
any view or socket handler runs. A route or socket event missing from these tables is refused (fail closed), and
tests/test_roles.py walks every route and socket event with every role.

Roles are granted by what a person holds:
- organiser: logged in as the account that owns the event (or its API token); sets it up and runs it;
- facilitator: the event's facilitator link (no account needed), or being its organiser; runs the event;
- host: a table's host link; moderates that table only;
- moderator: the event's question moderators' link; publishes and hides questions;
- attendee: the join code or a table's link (on the screen and the QR codes: the café's open door); posts, votes;
- board: the join code; reads.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role someone holds in one event."""

    ORGANISER = "organiser"
    FACILITATOR = "facilitator"
    HOST = "host"
    MODERATOR = "moderator"
    ATTENDEE = "attendee"
    BOARD = "board"


class Action(StrEnum):
    """What a route or socket event does, as far as permissions go."""

    PUBLIC = "public"  # no event involved, or the link itself is the permission (a table or personal link)
    ACCOUNT = "account"  # anything a logged-in organiser does outside one event: their events list, new events, tokens
    READ = "event.read"  # boards, the event's tables page, the event and its visible notes
    POST = "note.post"  # post a note to a table
    VOTE = "note.vote"  # vote for a note
    RESPOND = "poll.respond"  # answer a poll
    ASK = "question.ask"  # ask a question, upvote one
    MODERATE_QUESTIONS = "questions.moderate"  # publish, hide, answer and pin questions from the moderators' link
    MODERATE_TABLE = "table.moderate"  # hide, restore, pin a table's notes from its host link
    RUN = "event.run"  # console, rounds, moderation of every table, themes, exports
    SET_UP = "event.setup"  # edit, delete, duplicate; tables, rounds, participants, plan, links


EVERYONE = frozenset(Role)
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.READ: EVERYONE,
    Action.POST: frozenset({Role.ATTENDEE, Role.HOST, Role.FACILITATOR, Role.ORGANISER}),
    Action.VOTE: frozenset({Role.ATTENDEE, Role.HOST, Role.FACILITATOR, Role.ORGANISER}),
    Action.MODERATE_TABLE: frozenset({Role.HOST}),
    Action.RESPOND: frozenset({Role.ATTENDEE, Role.HOST, Role.FACILITATOR, Role.ORGANISER}),
    Action.ASK: frozenset({Role.ATTENDEE, Role.HOST, Role.FACILITATOR, Role.ORGANISER}),
    Action.MODERATE_QUESTIONS: frozenset({Role.MODERATOR}),
    Action.RUN: frozenset({Role.FACILITATOR, Role.ORGANISER}),
    Action.SET_UP: frozenset({Role.ORGANISER}),
}

# Every route's action: first by endpoint, then by blueprint.
BLUEPRINTS: dict[str, Action] = {
    "organiser": Action.SET_UP,
    "console": Action.RUN,
    "themes": Action.RUN,
    "exports": Action.RUN,
    "board": Action.READ,
    "activities": Action.RUN,
}
ENDPOINTS: dict[str, Action] = {
    "static": Action.PUBLIC,
    "pages.index": Action.PUBLIC,
    "pages.join": Action.PUBLIC,
    "pages.vendor": Action.PUBLIC,
    "pages.table_qr": Action.PUBLIC,
    "activities.event": Action.READ,
    "pages.join_qr": Action.READ,
    "auth.login": Action.PUBLIC,
    "auth.logout": Action.ACCOUNT,
    "table.page": Action.PUBLIC,
    "table.post": Action.PUBLIC,
    "table.person": Action.PUBLIC,
    "table.next_seat_fragment": Action.PUBLIC,
    "console.facilitate": Action.PUBLIC,
    "organiser.index": Action.ACCOUNT,
    "organiser.new_event": Action.ACCOUNT,
    "organiser.import_setup": Action.ACCOUNT,
    "organiser.create_token": Action.ACCOUNT,
    "organiser.revoke_token": Action.ACCOUNT,
    "organiser.export": Action.RUN,
    "harvest.vote": Action.VOTE,
    "harvest.host": Action.MODERATE_TABLE,
    "harvest.host_moderate": Action.MODERATE_TABLE,
    "harvest.console_moderate": Action.RUN,
    "harvest.console_edit": Action.RUN,
    "harvest.console_merge": Action.RUN,
    "harvest.console_reveal": Action.RUN,
    "harvest.console_settings": Action.RUN,
    "activities.respond": Action.RESPOND,
    "activities.questions": Action.READ,
    "activities.ask": Action.ASK,
    "activities.upvote": Action.ASK,
    "activities.moderator": Action.MODERATE_QUESTIONS,
    "activities.moderator_action": Action.MODERATE_QUESTIONS,
    "api.openapi": Action.PUBLIC,
    "api.event": Action.READ,
    "api.notes": Action.READ,
    "api.post_note": Action.POST,
    "api.vote": Action.VOTE,
    "api.round_action": Action.RUN,
    "api.export": Action.RUN,
    "api.polls": Action.READ,
    "api.create_poll": Action.RUN,
    "api.control_poll": Action.RUN,
    "api.poll_results": Action.READ,
    "api.respond": Action.RESPOND,
    "api.questions": Action.READ,
    "api.ask": Action.ASK,
    "api.upvote": Action.ASK,
    "api.moderate_question": Action.RUN,
    "api.question_to_table": Action.RUN,
    "api.launch": Action.RUN,
}
# Socket events: `join` by the view it asks for, the others by name.
SOCKET_EVENTS: dict[str, Action] = {
    "join:board": Action.READ,
    "join:table": Action.POST,
    "join:phone": Action.POST,
    "join:console": Action.RUN,
    "round.control": Action.RUN,
    "sync": Action.PUBLIC,
}


def action_of(endpoint: str) -> Action | None:
    """The action a route performs, or None when it is not declared (and so refused)."""
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    return BLUEPRINTS.get(endpoint.partition(".")[0]) if "." in endpoint else None


def roles_held(*, organiser: bool, facilitator: bool, host: bool, moderator: bool = False) -> frozenset[Role]:
    """The roles of someone in one event: everyone may read and post; the rest comes from an account or a link."""
    held = {Role.BOARD, Role.ATTENDEE}
    if organiser:
        held |= {Role.ORGANISER, Role.FACILITATOR}
    if facilitator:
        held.add(Role.FACILITATOR)
    if host:
        held.add(Role.HOST)
    if moderator:
        held.add(Role.MODERATOR)
    return frozenset(held)


def permits(roles: frozenset[Role], action: Action) -> bool:
    """Whether any of these roles allows the action."""
    return action in (Action.PUBLIC, Action.ACCOUNT) or bool(roles & ALLOWED[action])


def refusal(action: Action) -> str:
    """The message shown to someone refused an action."""
    return {
        Action.MODERATE_TABLE: "Only this table's host link may moderate it here.",
        Action.MODERATE_QUESTIONS: "Only this event's question moderators' link may moderate its questions here.",
        Action.RUN: "Only this event's organiser and facilitators may do that.",
        Action.SET_UP: "Only this event's organiser may change its setup.",
    }.get(action, "You may not do that.")
