"""SQLite under gevent: the greenlets of one process take turns at the write lock instead of polling it."""
import gevent
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import cafe.db
from cafe.db import db


@pytest.fixture
def cooperative(monkeypatch):
    """Behave as the server does on gevent's patched standard library."""
    monkeypatch.setattr(cafe.db, "_cooperative", lambda: True)


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_transaction_holds_the_turn_until_it_ends(app, cooperative, end):
    db.session.execute(select(1))
    assert cafe.db._TURN.locked()
    getattr(db.session, end)()
    assert not cafe.db._TURN.locked()


def test_a_second_greenlet_waits_for_the_first_to_commit_then_begins(app, cooperative):
    first, second = Session(db.engine), Session(db.engine)
    order = []

    def write_second() -> None:
        second.execute(select(1))
        order.append("second began")
        second.commit()

    first.execute(select(1))
    waiter = gevent.spawn(write_second)
    gevent.sleep(0.05)
    order.append("first commits")
    first.commit()
    waiter.join(timeout=5)
    assert order == ["first commits", "second began"] and not cafe.db._TURN.locked()
    first.close(), second.close()
