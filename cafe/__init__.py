"""cafe: live, timed, rotating World Café rounds, and the write-up afterwards."""
from __future__ import annotations

from typing import Any

from flask import Flask

from cafe.config import ROOT, derive_flask_config, from_environment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, faces."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_mapping(from_environment())
    app.config.update(test_config or {})
    derived = derive_flask_config(app.config, ROOT / "instance")
    app.config.update({key: value for key, value in derived.items() if key not in (test_config or {})})

    from cafe import auth, cli, db, limits, live, pages, permissions, security
    from cafe.views import activities, api, board, console, exports, harvest, organiser, table, themes

    db.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    auth.init_app(app)
    permissions.init_app(app)
    live.init_app(app)
    pages.init_app(app)
    cli.init_app(app)
    for blueprint in (organiser.bp, console.bp, exports.bp, board.bp, table.bp, harvest.bp, themes.bp, activities.bp,
                      api.bp):
        app.register_blueprint(blueprint)
    return app
