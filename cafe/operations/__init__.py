"""Every change to stored data, one verb_noun function each: validate, write, commit, then announce."""
from cafe.operations.accounts import create_api_token, create_user, record_login, revoke_api_token, user_for_token
from cafe.operations.harvest import (
    assign_theme, cast_vote, create_theme, delete_theme, edit_note, merge_notes, pin_note, rename_theme, retract_vote,
    reveal_all, set_note_state, set_round_hidden, update_harvest_settings, votes_left,
)
from cafe.operations.live import (
    ROUND_ACTIONS, activity, announce, announce_activity, import_notes, control_round, set_posting, tick, update_live_settings,
)
from cafe.operations.notes import announce_note, post_note, post_note_at
from cafe.operations.answers import import_room, moderate_answer, respond_poll, respond_poll_at
from cafe.operations.polls import ACTIVITIES, POLL_ACTIONS, control_poll, create_poll, delete_poll, launch_activity
from cafe.operations.questions import (
    QUESTION_ACTIONS, answer_to_table, ask_question, moderate_question, question_to_table, set_qa_premoderation,
    unvote_question, upvote_question, voted_questions,
)
from cafe.operations.plan import (
    arrivals, clear_plan, itinerary, make_plan, mark_absent, plan_figures, played_rounds, rotation_people, rotation_tables, stored_seats,
)
from cafe.operations.setup import (
    add_participant, create_event, delete_event, delete_participant, delete_round, delete_table, duplicate_event,
    import_participants, import_setup, move_table, read_setup, replace_link, replace_setup, save_round, save_table,
    update_event,
)

__all__ = [
    "ROUND_ACTIONS", "activity", "add_participant", "announce", "announce_activity", "control_round", "create_api_token", "create_event",
    "create_user", "delete_event", "delete_participant", "delete_round", "delete_table", "duplicate_event",
    "import_participants", "import_setup", "move_table", "replace_link", "post_note", "post_note_at", "read_setup", "replace_setup",
    "revoke_api_token", "save_round", "save_table", "set_posting", "tick", "update_event", "update_live_settings",
    "user_for_token", "record_login", "clear_plan", "make_plan", "mark_absent", "plan_figures", "played_rounds", "rotation_people",
    "rotation_tables", "stored_seats", "arrivals", "itinerary", "assign_theme", "cast_vote", "create_theme",
    "delete_theme", "edit_note", "merge_notes", "pin_note", "rename_theme", "retract_vote", "reveal_all",
    "set_note_state", "set_round_hidden", "update_harvest_settings", "votes_left", "announce_note", "import_notes",
    "ACTIVITIES", "POLL_ACTIONS", "control_poll", "create_poll", "delete_poll", "launch_activity", "moderate_answer",
    "respond_poll", "respond_poll_at", "import_room", "QUESTION_ACTIONS", "answer_to_table", "ask_question", "moderate_question", "question_to_table",
    "set_qa_premoderation", "unvote_question", "upvote_question", "voted_questions",
]
