"""Exports made by workers fed through Redis and announced on the console; the same console without a queue."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from cafe import operations
from cafe.live import channel
from cafe.db import db
from cafe.export import RENDERERS, Renderer
from cafe.export import worker as export_worker
from cafe.export.worker import export_queue
from helpers import received, redis_or_skip
from serving import ROOT, Server

# A Redis database of these tests' own, flushed before and after each test.
REDIS_URL = os.environ.get("CAFE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
SERVER_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/12"  # the real server and worker processes' own
CSRF = r'name="csrf_token" type="hidden" value="([^"]+)"'

Announced = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The tests' Redis database, empty; skips without Redis (fails under CI)."""
    client = redis_or_skip(REDIS_URL)
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def queue_url(redis_url: str) -> str:
    """The message queue the app is configured with (the class without a queue overrides it)."""
    return redis_url


@pytest.fixture
def app_config(app_config: dict[str, Any], queue_url: str) -> dict[str, Any]:
    """The test app's settings, with the Redis message queue."""
    return {**app_config, "CAFE_MESSAGE_QUEUE": queue_url}


@pytest.fixture
def app(app):
    """The test app; afterwards its Redis connection is closed."""
    yield app
    connection = app.extensions.pop("cafe_export_redis", None)
    if connection is not None:
        connection.close()


@pytest.fixture
def announced(redis_url: str) -> Iterator[Announced]:
    """Read what any process broadcast through Redis: a list of {event, room, data}, waiting for a wanted one."""
    client = Redis.from_url(redis_url)
    pubsub = client.pubsub()
    pubsub.subscribe(channel(redis_url))  # where Flask-SocketIO passes this site's broadcasts between processes
    assert pubsub.get_message(timeout=5)["type"] == "subscribe"
    seen: list[dict[str, Any]] = []

    def read(until: Callable[[dict[str, Any]], bool] = lambda _: False, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(until(m) for m in seen):
            message = pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                body = json.loads(message["data"])
                if body.get("method") == "emit":
                    seen.append({"event": body["event"], "room": body["room"], "data": body["data"][0]})
        return seen

    yield read
    pubsub.close()
    client.close()


@pytest.fixture
def harvested(live_event):
    """An event with a few notes."""
    for i, text in enumerate(["Protected time for training", "A shared GPU pool"]):
        operations.post_note(live_event.tables[i], heading="Blockers", text=text, client_id=f"jobs-{i:08d}")
    return live_event


def run_worker() -> None:
    """Run an export worker in this process until the queue is empty."""
    from rq import SimpleWorker

    queue = export_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def export_path(app, code: str, name: str) -> Path:
    """Where a prepared export is written."""
    return Path(app.config["CAFE_EXPORT_DIR"]) / code / name


def test_prepare_queues_one_job_and_the_worker_announces_the_file(app, login, harvested, announced):
    browser = login()
    url = f"/console/{harvested.code}/exports/blog.md"
    page = browser.post(url, follow_redirects=True).text
    assert "Preparing Markdown blog draft; its download link appears under Exports" in page
    assert '<h2 id="exports-title">Exports</h2>' in page and 'aria-label="Prepare PDF summary"' in page
    again = browser.post(url, follow_redirects=True).text
    assert "Markdown blog draft is already being prepared" in again
    assert export_queue().count == 1
    assert not export_path(app, harvested.code, "blog.md").exists()

    run_worker()

    written = export_path(app, harvested.code, "blog.md").read_text(encoding="utf-8")
    assert "A shared GPU pool" in written
    ready = [m for m in announced(lambda m: m["event"] == "export.ready") if m["event"] == "export.ready"]
    assert len(ready) == 1 and ready[0]["room"] == [f"console:{harvested.id}"]
    payload = ready[0]["data"]
    assert payload["event"] == harvested.code and payload["name"] == "blog.md" and payload["label"] == "Markdown blog draft"
    assert payload["size"] == len(written.encode()) and payload["url"] == url
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", payload["made_at"])
    download = browser.get(payload["url"])
    assert download.status_code == 200 and "A shared GPU pool" in download.text
    assert download.headers["Content-Disposition"] == f'attachment; filename="{harvested.code}-blog.md"'
    assert "Download Markdown blog draft" in browser.get(f"/console/{harvested.code}").text
    # The job has started, so a new Prepare makes a fresh one.
    assert "Preparing Markdown blog draft" in browser.post(url, follow_redirects=True).text
    assert export_queue().count == 1


def test_prepare_answers_scripts_with_json_and_refuses_strangers(app, login, harvested, create_user, client):
    browser = login()
    reply = browser.post(f"/console/{harvested.code}/exports/notes.csv", headers={"Accept": "application/json"})
    assert reply.status_code == 202 and reply.json["ok"] and reply.json["queued"]
    unknown = browser.post(f"/console/{harvested.code}/exports/slides.ppt", follow_redirects=True).text
    assert "no export called &#39;slides.ppt&#39;" in unknown
    assert browser.get(f"/console/{harvested.code}/exports/summary.pdf").status_code == 404
    other = login(create_user(), app.test_client())
    assert other.post(f"/console/{harvested.code}/exports/notes.csv").status_code == 403
    assert other.get(f"/console/{harvested.code}/exports/notes.csv").status_code == 403
    assert export_queue().count == 1


def test_a_failing_render_announces_export_failed_and_logs_why(app, login, harvested, announced, monkeypatch, caplog):
    def broken(_data):
        raise RuntimeError("the renderer broke")

    monkeypatch.setitem(RENDERERS, "broken.txt", Renderer("broken.txt", "text/plain", "Broken export", broken))
    login().post(f"/console/{harvested.code}/exports/broken.txt")
    run_worker()
    failed = [m for m in announced(lambda m: m["event"] == "export.failed") if m["event"] == "export.failed"]
    assert failed[0]["room"] == [f"console:{harvested.id}"]
    assert failed[0]["data"] == {"event": harvested.code, "name": "broken.txt", "label": "Broken export",
                                 "message": "Broken export could not be made; the server log says why."}
    assert "the renderer broke" in caplog.text and "Traceback" in caplog.text
    assert not export_path(app, harvested.code, "broken.txt").exists()


def test_the_worker_survives_a_job_whose_event_was_deleted(app, login, harvested, create_event, announced):
    other = create_event(name="Second café")
    browser = login()
    browser.post(f"/console/{harvested.code}/exports/event.json")
    browser.post(f"/console/{other.code}/exports/event.json")
    gone = harvested.code
    operations.delete_event(harvested)
    run_worker()
    messages = announced(lambda m: m["event"] == "export.ready")
    failed = [m["data"] for m in messages if m["event"] == "export.failed"]
    assert failed == [{"event": gone, "name": "event.json", "label": "Open data (JSON)",
                       "message": f"The event {gone} no longer exists, so event.json was not made."}]
    assert [m["data"]["event"] for m in messages if m["event"] == "export.ready"] == [other.code]
    assert export_path(app, other.code, "event.json").exists()


def test_downloads_wait_for_the_worker_and_time_out_with_a_retryable_503(app, client, harvested, user, monkeypatch):
    token = operations.create_api_token(user)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/events/{harvested.code}/exports/notes.csv"
    db.session.commit()  # SQLite: end this thread's transaction, so the request's thread may write
    answers = []
    asking = threading.Thread(target=lambda: answers.append(app.test_client().get(url, headers=headers)))
    asking.start()
    deadline = time.monotonic() + 10
    while export_queue().count == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    run_worker()
    asking.join(timeout=20)
    response = answers[0]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "A shared GPU pool" in response.data.decode("utf-8-sig")

    monkeypatch.setattr(export_worker, "WAIT_SECONDS", 0.3)
    late = client.get(url, headers=headers)
    assert late.status_code == 503 and late.headers["Retry-After"] == "30"
    assert late.json["error"]["code"] == "busy" and "still being made" in late.json["error"]["message"]


def test_the_organiser_download_goes_through_the_queue(app, login, harvested, monkeypatch):
    waited = export_worker._finished
    gone = []

    def work_then_wait(job, seconds):
        if gone:
            operations.delete_event(gone[0])
        run_worker()
        return waited(job, seconds)

    monkeypatch.setattr(export_worker, "_finished", work_then_wait)
    browser = login()
    response = browser.get(f"/organiser/events/{harvested.code}/exports/blog.md")
    assert response.status_code == 200 and "Protected time for training" in response.text
    code = harvested.code
    gone.append(harvested)
    refused = browser.get(f"/organiser/events/{code}/exports/blog.md")
    assert refused.status_code == 422 and f"The event {code} no longer exists, so blog.md was not made." in refused.text


@pytest.fixture(scope="module")
def queued_server(tmp_path_factory) -> Iterator[Server]:
    """A real gevent server and a separate export worker process sharing a Redis queue, with the demo café."""
    client = redis_or_skip(SERVER_REDIS_URL)
    folder = tmp_path_factory.mktemp("queued")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAFE_MESSAGE_QUEUE", SERVER_REDIS_URL)
        server = Server(folder)
    server.start()
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "cafe", "worker"], cwd=ROOT,
                              env=server.env, stdout=server.log, stderr=subprocess.STDOUT)
    yield server
    worker.terminate()
    worker.wait(timeout=20)
    server.close()
    client.flushdb()
    client.close()


def _log_in(browser, server: Server) -> str:
    """Log a requests session in as the demo organiser; returns a CSRF token for the console's forms."""
    from cafe.cli import DEMO_EMAIL, DEMO_PASSWORD

    token = re.search(CSRF, browser.get(f"{server.base}/login").text).group(1)
    browser.post(f"{server.base}/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token})
    return re.search(CSRF, browser.get(f"{server.base}/console/{server.code}").text).group(1)


def test_a_console_hears_the_worker_process_through_redis(queued_server):
    import requests
    import socketio as socketio_client

    server = queued_server
    with requests.Session() as browser:
        token = _log_in(browser, server)
        heard: list[dict[str, Any]] = []
        arrived = threading.Event()
        console = socketio_client.Client(http_session=browser)

        @console.on("export.ready")
        def _ready(data):
            heard.append(data)
            arrived.set()

        console.connect(server.base, transports=["polling"], headers={"Origin": server.base})
        try:
            joined = console.call("join", {"event": server.code, "view": "console"}, timeout=10)
            assert joined["ok"], joined
            reply = browser.post(f"{server.base}/console/{server.code}/exports/blog.md", data={"csrf_token": token},
                                 headers={"Accept": "application/json"})
            assert reply.status_code == 202, reply.text
            assert arrived.wait(30), (server.log.flush(), Path(server.log.name).read_text())
        finally:
            console.disconnect()
        payload = heard[0]
        assert payload["event"] == server.code and payload["name"] == "blog.md"
        prepared = browser.get(f"{server.base}{payload['url']}")
        written = Path(server.env["CAFE_EXPORT_DIR"]) / server.code / "blog.md"
        assert prepared.status_code == 200 and prepared.content == written.read_bytes()
        # The synchronous download queues a job for the worker and waits for it.
        api = browser.get(f"{server.base}/api/v1/events/{server.code}/exports/event.json",
                          headers={"Authorization": f"Bearer {server.token}"}, timeout=60)
        assert api.status_code == 200 and api.json()["event"]["code"] == server.code


@pytest.mark.browser
def test_the_console_says_preparing_then_shows_the_link_without_reloading(queued_server, new_page):
    from playwright.sync_api import expect

    server = queued_server
    # A facilitator's console (the organiser's link): exports are theirs to prepare too.
    page = new_page(server.urls["facilitator link (console without logging in)"], viewport={"width": 1400, "height": 900})
    page.wait_for_selector("[data-live].online")
    row = page.locator('[data-export="themes.xlsx"]')
    row.get_by_role("button", name="Prepare Excel themes workbook").click()
    expect(row.locator("[data-export-status]")).to_have_text(re.compile("Preparing…|Download"))
    link = row.get_by_role("link", name="Download Excel themes workbook")
    expect(link).to_be_visible(timeout=30_000)
    # No reload: the no-JavaScript path would have flashed "Preparing ..." on a fresh page.
    assert page.url == server.urls["console"] and not page.locator(".flashes", has_text="Preparing").count()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{server.code}-themes.xlsx"


class TestWithoutAQueue:
    """One process, no Redis: Prepare renders in a child process from a background task, with the same events."""

    @pytest.fixture
    def queue_url(self) -> str:
        """No message queue."""
        return ""

    def test_prepare_renders_here_and_the_console_hears_it(self, app, client, login, harvested, sio):
        browser = login()
        console = sio(harvested, "console", logged_in=browser)
        assert console.join_reply["ok"]
        url = f"/console/{harvested.code}/exports/notes.csv"
        assert "Preparing Notes as CSV" in browser.post(url, follow_redirects=True).text
        assert "Notes as CSV is already being prepared" in browser.post(url, follow_redirects=True).text
        db.session.commit()  # SQLite: the requests ran in this thread's session; let the task's thread read
        ready: list[dict[str, Any]] = []
        deadline = time.monotonic() + 60
        while not ready and time.monotonic() < deadline:
            time.sleep(0.1)
            ready = received(console, "export.ready")
        assert ready and ready[0]["name"] == "notes.csv" and ready[0]["url"] == url
        assert "A shared GPU pool" in browser.get(url).data.decode("utf-8-sig")
        assert "Download Notes as CSV" in browser.get(f"/console/{harvested.code}").text

    def test_a_deleted_event_is_announced_as_failed(self, app, login, harvested, sio):
        browser = login()
        console = sio(harvested, "console", logged_in=browser)
        from cafe.export.jobs import _start_here
        from cafe.live import console_room

        room = console_room(harvested)
        db.session.commit()  # SQLite: end this thread's transaction, so the task's thread may read
        assert _start_here(app, "GONE99", "blog.md", room)
        failed: list[dict[str, Any]] = []
        deadline = time.monotonic() + 30
        while not failed and time.monotonic() < deadline:
            time.sleep(0.05)
            failed = received(console, "export.failed")
        assert failed == [{"event": "GONE99", "name": "blog.md", "label": "Markdown blog draft",
                           "message": "The event GONE99 no longer exists, so blog.md was not made."}]
