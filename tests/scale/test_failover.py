"""One of two app processes is killed: its screens reconnect through nginx to the other, and no note is lost."""
from __future__ import annotations

import secrets
import signal

import pytest
from playwright.sync_api import expect

from scale_demo import Nginx
from serving import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


@pytest.fixture
def primary_nginx(tmp_path, cluster, nginx_installed):
    """nginx sending everyone to the first process while it lives, then to the second (marked backup)."""
    first, second = cluster.servers
    proxy = Nginx(tmp_path, [first.port, second.port], f"127.0.0.1:{free_port()}")
    text = proxy.config.read_text()
    proxy.config.write_text(text.replace(f"server 127.0.0.1:{second.port};", f"server 127.0.0.1:{second.port} backup;"))
    proxy.start()
    yield proxy
    proxy.stop()
    if first.process is None or first.process.poll() is not None:
        first.start()  # the cluster serves the other tests of the session


def test_screens_move_to_the_other_process_when_one_is_killed(cluster, primary_nginx, new_page):
    """Board and phone on the first process; it is killed; notes posted from the phone reach the board, once each."""
    first, second = cluster.servers
    front = first.at(primary_nginx.base)
    front.ensure_running()
    phone_url = primary_nginx.base + "/t/" + cluster.table_token(2)
    board = new_page(f"{primary_nginx.base}/board/{cluster.code}")
    phone = new_page(phone_url)
    for page in (board, phone):
        page.wait_for_selector("[data-live].online")

    first.kill(signal.SIGKILL)
    texts = [f"After the failover {n} {secrets.token_hex(3)}" for n in range(2)]
    for text in texts:
        phone.get_by_label("Your note").fill(text)
        phone.get_by_role("button", name="Post").click()
        expect(phone.locator(".note.mine.stored", has_text=text)).to_be_visible(timeout=30_000)
    for text in texts:
        expect(board.locator(".note-text", has_text=text)).to_be_visible(timeout=30_000)
    for page in (board, phone):
        page.wait_for_selector("[data-live].online", timeout=30_000)

    stored = second.api("GET", f"/events/{cluster.code}/notes?table=2&limit=1000")[1]["notes"]
    for text in texts:
        assert sum(1 for note in stored if note["text"] == text) == 1
