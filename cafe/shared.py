"""What the server processes of one site share through Redis: phones connected per table, and who sends a resync.

With one process (no CAFE_MESSAGE_QUEUE) everything stays in this process. With several, each process writes
its own counts under a key that expires unless the process keeps refreshing it, so a killed process's phones
stop counting within a minute. A Redis that is down or restarting never fails a request: counts fall back to
this process's own, and every process may send the resync (screens ignore a repeated clock).
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from collections import Counter

import redis

log = logging.getLogger(__name__)
PROCESS = f"{os.getpid()}-{secrets.token_hex(4)}"  # this process, for the keys it owns
ALIVE_SECONDS = 45  # a process that has not refreshed its counts for this long no longer counts
PROCESSES = "cafe:processes"

_client: redis.Redis | None = None
_local: Counter[int] = Counter()  # table id -> phones connected to this process


def configure(url: str) -> None:
    """Share through the Redis at this URL (empty: this process only)."""
    global _client
    _client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1) if url.startswith("redis") else None


def _counts_key(process: str) -> str:
    """The hash of one process's phone counts, by table id."""
    return f"cafe:phones:{process}"


def phone_joined(table_id: int, change: int = 1) -> None:
    """A phone of this table connected to this process (change -1: it went away)."""
    _local[table_id] = max(0, _local[table_id] + change)
    publish()


def publish() -> None:
    """Write this process's counts to Redis and say it is alive (the ticker calls it too)."""
    if _client is None:
        return
    try:
        pipe = _client.pipeline()
        key = _counts_key(PROCESS)
        pipe.delete(key)
        if counts := {str(table): n for table, n in _local.items() if n}:
            pipe.hset(key, mapping=counts)
        pipe.expire(key, ALIVE_SECONDS)
        pipe.zadd(PROCESSES, {PROCESS: time.time()})
        pipe.zremrangebyscore(PROCESSES, 0, time.time() - ALIVE_SECONDS)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("could not share phone counts: %s", error)


def phones(table_ids: list[int]) -> dict[int, int]:
    """Phones connected to any process of the site, per table id."""
    if _client is None:
        return {table: _local[table] for table in table_ids}
    try:
        alive = [p.decode() for p in _client.zrangebyscore(PROCESSES, time.time() - ALIVE_SECONDS, "+inf")]
        pipe = _client.pipeline()
        for process in alive:
            pipe.hmget(_counts_key(process), [str(t) for t in table_ids])
        rows = pipe.execute()
    except redis.RedisError as error:
        log.warning("could not read shared phone counts, showing this process's: %s", error)
        return {table: _local[table] for table in table_ids}
    totals = Counter({table: _local[table] for table in table_ids}) if PROCESS not in alive else Counter()
    for row in rows:
        for table, count in zip(table_ids, row):
            totals[table] += int(count or 0)
    return {table: totals[table] for table in table_ids}


def claim(name: str, seconds: float) -> bool:
    """Whether this process should do a site-wide chore now (one process per period); True without Redis."""
    if _client is None:
        return True
    try:
        return bool(_client.set(f"cafe:claim:{name}", PROCESS, nx=True, px=max(1, int(seconds * 1000))))
    except redis.RedisError:
        return True
