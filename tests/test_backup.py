"""Backup and restore: everything comes back, into SQLite or PostgreSQL; bad input stores nothing."""
import pytest
from flask_migrate import stamp, upgrade

from cafe import create_app, operations
from cafe.auth import find_event
from cafe.payloads import event_notes
from helpers import postgres_schema
from cafe.db import db


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_backup_restores_everything(runner, live_event, tmp_path, app_config, request, target):
    db.session.commit()  # end the fixture's read transaction: stamping opens a connection of its own
    stamp()  # the test database was made from the models; mark it as at the newest migration
    operations.post_note(live_event.tables[0], heading="Blockers", text="Kept through a backup ✓", client_id="backup-00001")
    operations.make_plan(live_event)
    before, code = operations.read_setup(live_event), live_event.code
    db.session.commit()  # end this test's read transaction, as a command line has none open
    file = tmp_path / "backup.json"
    result = runner.invoke(args=["cafe", "backup", str(file)])
    assert result.exit_code == 0 and "Backed up" in result.output
    if target == "postgresql":
        generator = postgres_schema()
        url, options = next(generator)
        request.addfinalizer(lambda: next(generator, None))
        config = {**app_config, "CAFE_DATABASE_URL": url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **options}}
    else:
        config = {**app_config, "CAFE_DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    other = create_app(config)
    with other.app_context():
        upgrade()
        restored = other.test_cli_runner().invoke(args=["cafe", "restore", str(file)])
        assert restored.exit_code == 0, restored.output
        event = find_event(code)
        assert operations.read_setup(event) == before
        assert [n.text for n in event_notes(event)] == ["Kept through a backup ✓"]
        assert operations.stored_seats(event)
        db.session.commit()
        again = other.test_cli_runner().invoke(args=["cafe", "restore", str(file)])
        assert again.exit_code != 0 and "not empty" in again.output
        event = find_event(code)
        new_event = operations.create_event(event.owner, before.event)  # ids continue past the restored ones
        assert new_event.id > event.id
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    file = tmp_path / "x.json"
    file.write_text('{"hello": 1}')
    result = runner.invoke(args=["cafe", "restore", str(file)])
    assert result.exit_code != 0 and "not a cafe backup" in result.output
