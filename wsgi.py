"""The app object for servers; `python wsgi.py` serves it (under gevent) for development and the demo.

Production: `gunicorn -k gevent -w 1 --bind 127.0.0.1:5000 wsgi:app` (see docs/deploy.md).
"""
if __name__ == "__main__":
    # Patch only here, in the entry point: importing cafe must never patch (tests, the CLI, Playwright).
    from gevent import monkey

    monkey.patch_all()

import gc  # noqa: E402

from cafe import create_app  # noqa: E402
from cafe.live import socketio, start_ticker  # noqa: E402

app = create_app()

# A server holds a few hundred objects per connected screen, which the collector would walk again and again: what
# was built at start (modules, models, templates) is set aside for good, and collections run less often, since
# almost everything a request makes is freed as soon as it is answered (bench/live_load.py: 15 % less CPU a note).
gc.freeze()
gc.set_threshold(50_000, 50, 50)

if __name__ == "__main__":
    print(f" * cafe serving on http://{app.config['CAFE_HOST']}:{app.config['CAFE_PORT']} (async mode "
          f"{app.config['CAFE_ASYNC_MODE']}); press Ctrl+C to stop", flush=True)
    start_ticker(app)
    socketio.run(app, host=app.config["CAFE_HOST"], port=app.config["CAFE_PORT"], log_output=False)
