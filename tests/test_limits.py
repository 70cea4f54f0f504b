"""Rate limits and login lockout: a clear "slow down", per device, never for facilitators' tokens."""
import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis import Redis

from cafe import create_app, operations
from cafe.db import db
from cafe.limits import STORAGE_RETRY_SECONDS, Counters
from helpers import redis_or_skip
from serving import free_port

NOTE = {"heading": "Blockers", "text": "A note"}


def post(client, event, i, device):
    return client.post(f"/api/v1/events/{event.code}/tables/1/notes",
                       json={**NOTE, "client_id": f"limit-{device}-{i:04d}", "device": device})


def test_a_device_posting_too_fast_is_told_to_slow_down_and_others_are_not(client, live_event):
    statuses = [post(client, live_event, i, "device-one-aaaa").status_code for i in range(21)]
    assert statuses[:20] == [201] * 20
    refused = post(client, live_event, 21, "device-one-aaaa")
    assert refused.status_code == 429 and refused.json["error"]["message"].startswith("Slow down")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60  # when the minute's window lets it through again
    assert post(client, live_event, 0, "device-two-bbbb").status_code == 201  # same address, another phone


def test_the_phone_form_says_slow_down(client, live_event):
    client.set_cookie("cafe_device", "device-form-cccc")
    url = f"/t/{live_event.tables[0].token}/notes"
    for i in range(20):
        client.post(url, data={**NOTE, "client_id": f"form-limit-{i:04d}"})
    response = client.post(url, data={**NOTE, "client_id": "form-limit-9999"})
    assert response.status_code == 429 and "Slow down" in response.text and response.headers["Retry-After"]


def test_facilitator_tokens_are_not_limited_like_phones(client, live_event, user):
    token = operations.create_api_token(user)
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(25):
        assert client.post(f"/api/v1/events/{live_event.code}/rounds/current/extend", json={"minutes": 1},
                           headers=auth).status_code == 200


def test_login_locks_after_five_failures(client, user):
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 200 and "locked for 15 more minutes" in response.text
    user.locked_until = 0
    operations.record_login(user, True, lock_minutes=15)
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_logins_per_address_are_limited(client, user):
    codes = [client.post("/login", data={"email": f"x{i}@example.org", "password": "nope"}).status_code for i in range(31)]
    assert codes[-1] == 429 and 429 not in codes[:30]


def test_requests_without_a_device_meet_only_the_address_ceiling(client, live_event):
    for i in range(30):
        response = client.post(f"/api/v1/events/{live_event.code}/tables/1/notes",
                               json={**NOTE, "client_id": f"script-{i:04d}"})
        assert response.status_code == 201


def test_behind_a_proxy_each_forwarded_address_has_its_own_login_limit(app_config, user):
    """With CAFE_PROXY_COUNT=1, phones behind nginx are told apart by X-Forwarded-For, not lumped as the proxy."""
    from cafe import create_app

    client = create_app({**app_config, "CAFE_PROXY_COUNT": 1}).test_client()
    attempt = lambda address: client.post("/login", data={"email": "x@example.org", "password": "nope"},  # noqa: E731
                                          headers={"X-Forwarded-For": address}).status_code
    assert [attempt("203.0.113.7") for _ in range(31)][-1] == 429
    assert attempt("203.0.113.8") != 429


def test_counting_starts_no_thread_and_expired_counters_are_swept():
    """The library's memory storage starts a timer thread after every count; ours sweeps during counts instead."""
    import threading
    import time

    from cafe.limits import SweptMemoryStorage

    storage = SweptMemoryStorage()
    time.sleep(0.05)  # the one timer the base class starts when made has run
    before = threading.active_count()
    for i in range(50):
        storage.incr(f"device:{i}", 0.05)
    assert threading.active_count() == before and storage.get("device:7") == 1
    time.sleep(0.1)
    assert storage.get("device:7") == 0  # expired counters read as zero at once
    storage._swept = 0.0  # a second has passed, as far as the sweep knows
    storage.incr("device:new", 60)
    assert set(storage.storage) == {"device:new"}  # and the others' keys are gone


@pytest.fixture
def shared_redis() -> Iterator[str]:
    """A Redis database of these tests' own for the counters, empty; skips without Redis (fails under CI)."""
    url = os.environ.get("CAFE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11").rsplit("/", 1)[0] + "/13"
    client = redis_or_skip(url)
    yield url
    client.flushdb()
    client.close()


def test_processes_sharing_redis_count_each_phone_once(app_config, live_event, shared_redis):
    """Two processes with the same Redis: a phone alternating between them still has 20 posts a minute in all."""
    event = SimpleNamespace(code=live_event.code)
    db.session.close()  # the apps below open the same SQLite file
    first, second = (create_app({**app_config, "CAFE_RATE_LIMIT_STORAGE": shared_redis}).test_client() for _ in "ab")
    statuses = [post(client, event, i, "device-both-dddd").status_code
                for i, client in zip(range(21), [first, second] * 11)]
    assert statuses == [201] * 20 + [429]


def test_counts_stay_in_memory_while_redis_is_away_and_go_back_after(app, shared_redis):
    """Redis away: this process counts alone (and refuses nothing over the outage); back: Redis counts again."""
    counters = Counters(f"redis://127.0.0.1:{free_port()}/0")
    item = parse("2 per minute")
    assert [counters.hit(item, "posts", "device") for _ in range(3)] == [True, True, False]
    assert counters.away_since is not None
    counters.shared = FixedWindowRateLimiter(storage_from_string(shared_redis))
    counters.away_since -= STORAGE_RETRY_SECONDS  # the next try is due
    assert counters.hit(item, "posts", "device") and counters.away_since is None
    assert Redis.from_url(shared_redis).keys("*")  # counted there
