"""Pure: the OpenAPI 3.1 document of the JSON API (a test checks it lists every route)."""
from __future__ import annotations

from typing import Any

ERROR_CODES = ["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "posting_closed", "voting_off",
               "vote_limit", "request_entity_too_large", "invalid", "export_failed", "method_not_allowed",
               "too_many_requests", "poll_closed", "results_hidden", "question_hidden"]
# Numbers are stored as 64-bit integers: a larger one names nothing (404) and is never a server error.
INT64 = {"type": "integer", "format": "int64"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "Malformed request", 401: "Missing or wrong token", 403: "Not this organiser's event",
             404: "No such event, table or action", 409: "Not possible in the café's current state",
             413: "Body too large", 422: "Invalid input",
             429: "Too many requests from this phone (or address) in a short time; wait a few seconds and retry"}
    return {str(s): _json(_ref("Error"), words[s]) for s in statuses}


CODE = {"name": "code", "in": "path", "required": True, "description": "The event's join code",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{6}$"}}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "examples": ERROR_CODES}, "message": {"type": "string"},
                       "details": {"type": "array", "items": {"type": "string"}}}}}},
    "Clock": {"type": "object", "required": ["phase", "remaining_s", "ends_at", "server_time"], "properties": {
        "phase": {"enum": ["waiting", "running", "paused", "moving", "between", "harvest"]},
        "round": {"type": ["integer", "null"]}, "next_round": {"type": ["integer", "null"]},
        "rounds": {"type": "integer"}, "remaining_s": {"type": ["number", "null"]},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "server_time": {"type": "string", "format": "date-time"}, "question": {"type": "string"},
        "next_question": {"type": "string"}, "minutes": {"type": ["integer", "null"]},
        "warnings": {"type": "array", "items": {"type": "integer"}}, "chime": {"type": "boolean"},
        "posting_open": {"type": "boolean"}, "posting_closed": {"type": ["string", "null"]}, "version": {"type": "string"},
        "announcement": {"type": "string"}}},
    "Table": {"type": "object", "required": ["number", "theme", "headings"], "properties": {
        "number": {"type": "integer"}, "theme": {"type": "string"}, "host": {"type": "string"},
        "question": {"type": "string"}, "capacity": {"type": "integer"},
        "headings": {"type": "array", "items": {"type": "string"}}}},
    "Round": {"type": "object", "required": ["index", "minutes", "state"], "properties": {
        "index": {"type": "integer"}, "minutes": {"type": "integer"}, "question": {"type": "string"},
        "buffer_seconds": {"type": "integer"}, "state": {"enum": ["pending", "running", "paused", "ended", "skipped"]}}},
    "Event": {"type": "object", "required": ["code", "name", "tables", "rounds", "current"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "date": {"type": ["string", "null"], "format": "date"},
        "venue": {"type": "string"}, "description": {"type": "string"},
        "status": {"enum": ["setup", "live", "harvest", "closed"]},
        "tables": {"type": "array", "items": _ref("Table")}, "rounds": {"type": "array", "items": _ref("Round")},
        "current": _ref("Clock")}},
    "Note": {"type": "object", "required": ["id", "seq", "table", "heading", "text", "client_id"], "properties": {
        "votes": {"type": "integer"}, "late": {"type": "boolean"}, "pinned": {"type": "boolean"}, "edited": {"type": "boolean"},
        "version": {"type": "integer"}, "theme": {"type": ["string", "null"]},
        "merged_into": {"type": ["integer", "null"]}, "hidden_round": {"type": "boolean"},
        "id": {"type": "integer"}, "seq": {"type": "integer"}, "client_id": {"type": "string"},
        "table": {"type": "integer"}, "round": {"type": ["integer", "null"]}, "heading": {"type": ["string", "null"]},
        "text": {"type": "string"}, "author": {"type": ["string", "null"]},
        "state": {"enum": ["visible", "hidden", "merged", "review"]}, "created_at": {"type": "string", "format": "date-time"},
        "html": {"type": "string", "description": "The note as the pages render it (with html=1)"}}},
    "NewNote": {"type": "object", "required": ["heading", "text", "client_id"], "properties": {
        "heading": {"type": "string", "description": "One of the table's headings"},
        "text": {"type": "string", "minLength": 1, "maxLength": 280},
        "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,64}$",
                      "description": "Made by the client; a retry with the same id never stores the note twice"},
        "author": {"type": ["string", "null"], "maxLength": 60},
        "round": {"type": ["integer", "null"], "format": "int64",
                  "description": "The round the note was written in: a note that arrives after that round ended "
                                 "is stored late, unless late notes are off"}}},
}


POLL_ID = {"name": "poll_id", "in": "path", "required": True, "schema": INT64}
QUESTION_ID = {"name": "question_id", "in": "path", "required": True, "schema": INT64}
RUNNERS = [{"bearer": []}]
DEVICE = {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
          "description": "The answering device when the phone's cookie is not sent (scripts)"}
CLIENT_ID = {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,64}$",
             "description": "Made by the client; a retry with the same id never stores twice"}

SCHEMAS.update({
    "OptionResult": {"type": "object", "required": ["position", "text", "count", "share"], "properties": {
        "position": {"type": "integer"}, "text": {"type": "string"}, "count": {"type": "integer"},
        "share": {"type": "number"}, "points": {"type": "integer", "description": "Borda points (ranking)"},
        "correct": {"type": ["boolean", "null"], "description": "Quiz only, once revealed"}}},
    "Results": {"type": "object", "required": ["kind", "responses"], "properties": {
        "kind": {"enum": ["single", "multiple", "scale", "ranking", "open", "quiz"]}, "responses": {"type": "integer"},
        "options": {"type": "array", "items": _ref("OptionResult")},
        "distribution": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "mean": {"type": ["number", "null"]}, "correct_share": {"type": ["number", "null"]},
        "words": {"type": "array", "items": {"type": "array"}}, "answers": {"type": "array", "items": {"type": "string"}}}},
    "Poll": {"type": "object", "required": ["id", "question", "kind", "state"], "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"}, "question": {"type": "string"},
        "kind": {"enum": ["single", "multiple", "scale", "ranking", "open", "quiz"]},
        "options": {"type": "array", "items": {"type": "string"}}, "max_choices": {"type": "integer"},
        "scale": {"type": "array", "items": {"type": "integer"}}, "low_label": {"type": "string"},
        "high_label": {"type": "string"}, "state": {"enum": ["draft", "open", "closed"]},
        "hide_results": {"type": "boolean"}, "revealed": {"type": "boolean"}, "named": {"type": "boolean"},
        "results": {"oneOf": [_ref("Results"), {"type": "null"}],
                    "description": "Null while hidden until the reveal (facilitators always get them)"}}},
    "NewPoll": {"type": "object", "required": ["question"], "properties": {
        "question": {"type": "string", "minLength": 1, "maxLength": 280},
        "kind": {"enum": ["single", "multiple", "scale", "ranking", "open", "quiz"]},
        "options": {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 12},
        "max_choices": {"type": "integer", "minimum": 1, "maximum": 12}, "scale": {"enum": ["1-5", "0-10"]},
        "low_label": {"type": "string", "maxLength": 60}, "high_label": {"type": "string", "maxLength": 60},
        "correct": {"type": "array", "items": {"type": "integer"}, "description": "Quiz: the correct option numbers"},
        "hide_results": {"type": "boolean"}, "named": {"type": "boolean"}}},
    "PollResults": {"type": "object", "required": ["poll", "state", "results"], "properties": {
        "poll": {"type": "integer"}, "state": {"enum": ["draft", "open", "closed"]}, "revealed": {"type": "boolean"},
        "results": _ref("Results")}},
    "Answer": {"type": "object", "required": ["client_id"], "properties": {
        "client_id": CLIENT_ID, "device": DEVICE,
        "choices": {"type": "array", "items": {"type": "integer"},
                    "description": "Option numbers (1 for the first): one, several, or all in order for a ranking"},
        "value": {"type": "integer", "description": "A rating scale's number"},
        "text": {"type": "string", "maxLength": 140, "description": "An open-text answer"},
        "author": {"type": ["string", "null"], "maxLength": 60, "description": "Kept only when the poll is named"}}},
    "Question": {"type": "object", "required": ["id", "text", "state", "votes"], "properties": {
        "id": {"type": "integer"}, "client_id": {"type": "string"}, "text": {"type": "string"},
        "author": {"type": ["string", "null"]}, "state": {"enum": ["visible", "review", "hidden", "answered"]},
        "pinned": {"type": "boolean"}, "votes": {"type": "integer"},
        "asked_at": {"type": "string", "format": "date-time"},
        "answered_at": {"type": ["string", "null"], "format": "date-time"}}},
    "NewQuestion": {"type": "object", "required": ["text", "client_id"], "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 280}, "client_id": CLIENT_ID, "device": DEVICE,
        "author": {"type": ["string", "null"], "maxLength": 60}}},
})


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def activity_paths() -> dict[str, Any]:
    """The polls', questions' and activity's paths."""
    return {
        "/events/{code}/polls": {
            "get": {"summary": "The event's polls, with their results where public", "operationId": "listPolls",
                    "parameters": [CODE], "responses": {"200": _json({"type": "object", "properties": {
                        "polls": {"type": "array", "items": _ref("Poll")}, "activity": {"type": "string"},
                        "activity_poll": {"type": ["integer", "null"]}}}, "The polls"), **_errors(404)}},
            "post": {"summary": "Add a poll (facilitators only)", "operationId": "createPoll", "security": RUNNERS,
                     "parameters": [CODE], "requestBody": _body(_ref("NewPoll")),
                     "responses": {"201": _json(_ref("Poll"), "Made"), **_errors(400, 401, 403, 404, 413, 422)}}},
        "/events/{code}/polls/{poll_id}/{action}": {"post": {
            "summary": "Open, close, reveal or hide a poll's results (facilitators only)", "operationId": "controlPoll",
            "security": RUNNERS, "parameters": [CODE, POLL_ID, {"name": "action", "in": "path", "required": True,
                                                                "schema": {"enum": ["open", "close", "reveal", "hide"]}}],
            "responses": {"200": _json(_ref("Poll"), "The poll after the change"), **_errors(401, 403, 404, 409)}}},
        "/events/{code}/polls/{poll_id}/results": {"get": {
            "summary": "A poll's results (409 while hidden until the reveal, except for facilitators)",
            "operationId": "pollResults", "parameters": [CODE, POLL_ID],
            "responses": {"200": _json(_ref("PollResults"), "The results"), **_errors(404, 409)}}},
        "/events/{code}/polls/{poll_id}/responses": {"post": {
            "summary": "Answer a poll, or change this device's answer until it closes", "operationId": "respondPoll",
            "parameters": [CODE, POLL_ID], "requestBody": _body(_ref("Answer")),
            "responses": {"200": _json({"type": "object", "properties": {"changed": {"type": "boolean"}}},
                                       "Stored (changed: false for a retry of what is stored)"),
                          **_errors(400, 404, 409, 413, 422, 429)}}},
        "/events/{code}/questions": {
            "get": {"summary": "The questions, pinned first, then top or newest", "operationId": "listQuestions",
                    "parameters": [CODE, {"name": "order", "in": "query", "schema": {"enum": ["top", "newest"]}}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "questions": {"type": "array", "items": _ref("Question")}}}, "The questions"),
                        **_errors(404, 422)}},
            "post": {"summary": "Ask a question", "operationId": "askQuestion", "parameters": [CODE],
                     "requestBody": _body(_ref("NewQuestion")),
                     "responses": {"201": _json(_ref("Question"), "Stored"),
                                   "200": _json(_ref("Question"), "Already stored under this client_id"),
                                   **_errors(400, 404, 413, 422, 429)}}},
        "/events/{code}/questions/{question_id}/vote": {
            method: {"summary": summary, "operationId": operation, "parameters": [CODE, QUESTION_ID],
                     "requestBody": _body({"type": "object", "properties": {"device": DEVICE}}, required=False),
                     "responses": {"200": _json(_ref("Question"), "The question's votes now"),
                                   **_errors(404, 409, 413, 422, 429)}}
            for method, summary, operation in (("post", "Upvote a question (once per device)", "upvoteQuestion"),
                                               ("delete", "Take an upvote back", "unvoteQuestion"))},
        "/events/{code}/questions/{question_id}/{action}": {"post": {
            "summary": "Answer, publish, restore, hide, pin or unpin a question (facilitators only)",
            "operationId": "moderateQuestion", "security": RUNNERS,
            "parameters": [CODE, QUESTION_ID, {"name": "action", "in": "path", "required": True, "schema": {
                "enum": ["answer", "publish", "restore", "hide", "pin", "unpin"]}}],
            "responses": {"200": _json(_ref("Question"), "The question after the change"),
                          **_errors(401, 403, 404, 409)}}},
        "/events/{code}/questions/{question_id}/to-table": {"post": {
            "summary": "Make a question a table's question or a round's (facilitators only)",
            "operationId": "questionToTable", "security": RUNNERS, "parameters": [CODE, QUESTION_ID],
            "requestBody": _body({"type": "object", "properties": {
                "table": {**INT64, "description": "The table's number"},
                "round": {**INT64, "description": "The round's index (default: the round on, else the next)"}}}),
            "responses": {"200": _json({"type": "object", "properties": {"message": {"type": "string"},
                                                                         "event": _ref("Event")}}, "Done"),
                          **_errors(400, 401, 403, 404, 413, 422)}}},
        "/events/{code}/activity": {"post": {
            "summary": "Show a poll, the questions or the café on every phone and board (facilitators only)",
            "operationId": "launchActivity", "security": RUNNERS, "parameters": [CODE],
            "requestBody": _body({"type": "object", "required": ["activity"], "properties": {
                "activity": {"enum": ["cafe", "questions", "poll"]}, "poll": {**INT64, "description": "The poll's id"}}}),
            "responses": {"200": _json({"type": "object", "properties": {"activity": {"type": "string"},
                                                                         "poll": {"oneOf": [_ref("Poll"), {"type": "null"}]}}},
                                       "What the screens show now"), **_errors(400, 401, 403, 404, 413, 422)}}},
    }


def openapi_document(base: str) -> dict[str, Any]:
    """The whole document, with the API's base path as its server."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "cafe API", "version": "1",
                 "description": "Read an event and its notes, post notes, run rounds, polls and questions. See docs/api.md."},
        "servers": [{"url": base}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                      "responses": {"200": {"description": "The OpenAPI document"}}}},
            "/events/{code}": {"get": {
                "summary": "The event, its tables and rounds, and the current round's clock", "operationId": "getEvent",
                "parameters": [CODE], "responses": {"200": _json(_ref("Event"), "The event"), **_errors(404)}}},
            "/events/{code}/notes": {"get": {
                "summary": "Visible notes after a sequence number, in order", "operationId": "listNotes",
                "parameters": [CODE,
                               {"name": "after", "in": "query", "schema": {**INT64, "minimum": 0}},
                               {"name": "table", "in": "query", "schema": INT64},
                               {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                               {"name": "html", "in": "query", "description": "1 to add each note's rendered HTML",
                                "schema": {"enum": ["0", "1", "true", "false"]}}],
                "responses": {"200": _json({"type": "object", "required": ["notes", "last_seq"], "properties": {
                    "notes": {"type": "array", "items": _ref("Note")}, "last_seq": {"type": "integer"}}}, "The notes"),
                    **_errors(404)}}},
            "/events/{code}/tables/{number}/notes": {"post": {
                "summary": "Post a note at a table", "operationId": "postNote",
                "parameters": [CODE, {"name": "number", "in": "path", "required": True, "schema": INT64}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewNote")}}},
                "responses": {"201": _json(_ref("Note"), "Stored"),
                              "200": _json(_ref("Note"), "Already stored under this client_id"),
                              **_errors(400, 404, 409, 413, 422, 429)}}},
            "/events/{code}/notes/{seq}/vote": {
                method: {
                    "summary": summary, "operationId": operation,
                    "description": "The device is the phone's cookie, or `device` in the body (8 to 64 letters, digits, - or _).",
                    "parameters": [CODE, {"name": "seq", "in": "path", "required": True, "schema": INT64}],
                    "requestBody": {"required": False, "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"table": {**INT64, "description": "The voter's table"},
                                                         "device": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}}}}}},
                    "responses": {"200": _json({"type": "object", "required": ["votes", "seq", "votes_left"], "properties": {
                        "votes": {"type": "integer"}, "seq": {"type": "integer"}, "votes_left": {"type": "integer"}}},
                        "The note's votes now"), **_errors(404, 409, 413, 422, 429)}}
                for method, summary, operation in (("post", "Vote for a note (once per device)", "vote"),
                                                   ("delete", "Take a vote back", "unvote"))},
            "/events/{code}/exports/{name}": {"get": {
                "summary": "One export of the event (facilitators only)", "operationId": "getExport",
                "security": [{"bearer": []}],
                "parameters": [CODE, {"name": "name", "in": "path", "required": True, "schema": {
                    "enum": ["cards.pdf", "poster.pdf", "summary.pdf", "themes.xlsx", "blog.md", "notes.csv", "event.json",
                             "itineraries.pdf", "plan.csv", "polls.csv", "questions.csv"]}}],
                "responses": {"200": {"description": "The file", "content": {
                    "application/pdf": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/markdown": {}, "text/csv": {}, "application/json": {}}},
                    **_errors(401, 403, 404, 422)}}},
            "/events/{code}/rounds/current/{action}": {"post": {
                "summary": "Run the rounds (facilitators only)", "operationId": "controlRound",
                "security": [{"bearer": []}],
                "parameters": [CODE, {"name": "action", "in": "path", "required": True, "schema": {
                    "enum": ["start", "pause", "resume", "extend", "end", "next", "skip"]}}],
                "requestBody": {"required": False, "description": "For extend: minutes to add (negative to shorten)",
                                "content": {"application/json": {"schema": {"type": "object", "properties": {
                                    "minutes": {"type": "number"}}}}}},
                "responses": {"200": _json(_ref("Clock"), "The round clock after the change"),
                              **_errors(400, 401, 403, 404, 409, 413, 422)}}},
            **activity_paths(),
        },
    }
