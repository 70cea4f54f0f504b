"""Export workers fed through Redis with RQ: `flask --app wsgi cafe worker`, and how servers queue exports.

With a Redis message queue (CAFE_MESSAGE_QUEUE=redis://...), server processes put export jobs on the
queue `cafe-exports` in that Redis and workers make them. A job waiting for a worker is shared: a
second request for the same export joins it instead of queueing another. Job ids are random.
"""
from __future__ import annotations

import secrets
import time
from typing import Any, Mapping

import click
from flask import Response, current_app, has_app_context, make_response, render_template, request
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from cafe.cli import cafe_cli
from cafe.db import db
from cafe.export import CHILD_TIMEOUT, file_name, render, renderer
from cafe.export.files import prepared_path
from cafe.export.jobs import ExportFailed, make_export
from cafe.live import console_room, socketio
from cafe.models import Event

QUEUE_NAME = "cafe-exports"
WAIT_SECONDS = CHILD_TIMEOUT
POLL_SECONDS = 0.25
RETRY_AFTER = 30
PENDING_TTL = 3600
_WAITING = {JobStatus.CREATED, JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
_ENDED_BADLY = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
# Delete a key only while it still names this job (another job may have taken the slot since).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def queue_url(config: Mapping[str, Any]) -> str | None:
    """The Redis URL export jobs go through: the message queue's, when it is Redis; else None."""
    url = str(config.get("CAFE_MESSAGE_QUEUE") or "")
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


def connection() -> Redis:
    """This app's Redis connection for the export queue, made once."""
    if "cafe_export_redis" not in current_app.extensions:
        url = queue_url(current_app.config)
        if url is None:
            raise RuntimeError("export jobs need CAFE_MESSAGE_QUEUE set to a redis:// URL")
        current_app.extensions["cafe_export_redis"] = Redis.from_url(url)
    return current_app.extensions["cafe_export_redis"]


def export_queue() -> Queue:
    """The queue export jobs wait in."""
    return Queue(QUEUE_NAME, connection=connection())


def pending_key(code: str, name: str) -> str:
    """The key naming the job that waits for a worker to make this export."""
    return f"{QUEUE_NAME}:pending:{code}:{name}"


def enqueue(code: str, name: str, room: str) -> tuple[Job, bool]:
    """Queue a job for one export, or join the one still waiting for a worker; True when a new job was queued."""
    redis, key = connection(), pending_key(code, name)
    for _ in range(3):
        waiting = _waiting_job(redis, key)
        if waiting is not None:
            return waiting, False
        job = export_queue().create_job(perform, args=(code, name, room), job_id=secrets.token_hex(16),
                                        timeout=CHILD_TIMEOUT, result_ttl=600, failure_ttl=86400,
                                        description=f"{name} of {code}", status=JobStatus.CREATED)
        job.save()  # saved before it is named, so whoever reads the key finds it
        if redis.set(key, job.id, nx=True, ex=PENDING_TTL):
            return export_queue().enqueue_job(job), True
        job.delete()
    raise ExportFailed("Too many requests for this export at once; try again.")


def _waiting_job(redis: Redis, key: str) -> Job | None:
    """The job the key names if it still waits for a worker; a stale key is cleared."""
    job_id = redis.get(key)
    if job_id is None:
        return None
    try:
        job = Job.fetch(job_id.decode(), connection=redis)
        if job.get_status(refresh=False) in _WAITING:
            return job
    except NoSuchJobError:
        pass
    redis.eval(_RELEASE, 1, key, job_id)
    return None


def perform(code: str, name: str, room: str) -> dict[str, Any]:
    """The queued job, run by a worker: free the export's waiting slot, then make it with this app."""
    if not has_app_context():
        from cafe import create_app

        with create_app().app_context():
            return perform(code, name, room)
    job = get_current_job()
    if job is not None:
        job.connection.eval(_RELEASE, 1, pending_key(code, name), job.id)
    try:
        return make_export(code, name, room, render)
    except ExportFailed as error:
        if job is not None:
            job.meta["message"] = " ".join(error.messages)
            job.save_meta()
        raise


def download_queued(event: Event, name: str) -> Response:
    """An export as a file download made by a worker: queue it (or join the waiting job), wait, serve the file."""
    item = renderer(name)
    code, room, filename = event.code, console_room(event), file_name(event, name)
    db.session.commit()  # end this request's transaction while the worker reads the database
    try:
        job, _ = enqueue(code, name, room)
        done = _finished(job, WAIT_SECONDS)
    except RedisError:
        current_app.logger.exception("the export queue did not answer")
        return busy("The export queue does not answer right now. Try again in a minute.")
    if not done:
        return busy(f"{item.title} is still being made. Try again in a minute.")
    return Response(prepared_path(code, name).read_bytes(), mimetype=item.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _finished(job: Job, seconds: float) -> bool:
    """Wait for a job with a cooperative sleep, so the process keeps serving; False on timeout, ExportFailed if it failed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            job.refresh()
            status = job.get_status(refresh=False)
        except NoSuchJobError:
            status = JobStatus.FAILED
        if status == JobStatus.FINISHED:
            return True
        if status in _ENDED_BADLY:
            raise ExportFailed(job.meta.get("message") or f"The export {job.args[1]} could not be made; the server log says why.")
        if time.monotonic() >= deadline:
            return False
        socketio.sleep(POLL_SECONDS)


def busy(message: str) -> Response:
    """A retryable refusal: 503 with Retry-After, as JSON for the API or as a page."""
    from cafe.pages import error_json

    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = error_json(503, "busy", message)
    else:
        response = make_response(render_template("error.html", code=503, name="Still working", description=message), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


@cafe_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for scripts and tests).")
def worker_command(burst: bool) -> None:
    """Run an export worker: make the exports that server processes queue in Redis (CAFE_MESSAGE_QUEUE)."""
    if queue_url(current_app.config) is None:
        raise click.ClickException("The export worker needs CAFE_MESSAGE_QUEUE set to a redis:// URL; "
                                   "without it the server makes exports itself.")
    db.engine.dispose()  # each job runs in a forked process that opens its own connections
    click.echo(f"Export worker on the queue {QUEUE_NAME}{' (until it is empty)' if burst else ''}.")
    Worker([export_queue()], connection=connection()).work(burst=burst, with_scheduler=False, logging_level="INFO")
