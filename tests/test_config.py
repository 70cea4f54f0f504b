"""Settings: declared once, read from the environment, documented."""
from pathlib import Path

from cafe import create_app
from cafe.config import SETTINGS, from_environment

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    assert [s.env for s in SETTINGS if f"`{s.env}`" not in text] == []


def test_every_setting_has_help():
    assert all(len(s.help) > 20 for s in SETTINGS)


def test_environment_overrides_defaults():
    values = from_environment({"CAFE_PORT": "5050", "CAFE_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"})
    assert values["CAFE_PORT"] == 5050 and values["CAFE_MESSAGE_QUEUE"] == "redis://127.0.0.1:6379/0"


def test_public_url_follows_host_and_port(monkeypatch, tmp_path):
    monkeypatch.setenv("CAFE_PORT", "5050")
    app = create_app({"CAFE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "CAFE_SECRET_KEY": "s"})
    assert app.config["CAFE_PUBLIC_URL"] == "http://127.0.0.1:5050"
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_secret_key_is_generated_once_and_kept(tmp_path):
    from cafe.config import instance_secret_key
    first = instance_secret_key(tmp_path)
    assert len(first) >= 40 and instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
