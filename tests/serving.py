"""A real cafe server in a subprocess on 127.0.0.1, as `make demo` runs it, for browser and restart tests."""
from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE_FILES = ("cafe.sqlite3", "cafe.sqlite3-wal", "cafe.sqlite3-shm")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app served by `python wsgi.py` (gevent) on its own SQLite file or `env`'s settings, with the demo café."""

    # The demo café on SQLite, made once per test run: each later server starts from a copy of its database file
    # (migrating and loading the demo takes seconds; copying the file, milliseconds). Its folder and base URL.
    template: tuple[Path, str, dict[str, str]] | None = None

    def __init__(self, folder: Path, env: dict[str, str] | None = None, load_demo: bool = True):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "CAFE_DATABASE_URL": f"sqlite:///{folder / 'cafe.sqlite3'}", "CAFE_PORT": str(self.port),
                    "CAFE_SECRET_KEY": "browser-tests", "CAFE_EXPORT_DIR": str(folder / "exports"),
                    "CAFE_PUBLIC_URL": self.base, "CAFE_SYNC_SECONDS": "5", **(env or {})}
        self.log = open(folder / "server.log", "ab")  # noqa: SIM115 - kept open for the server's lifetime
        self.process: subprocess.Popen[bytes] | None = None
        self.urls: dict[str, str] = {}
        self.code = self.token = ""
        if load_demo and env is None and Server.template is not None:
            self.copy_demo(folder, *Server.template)
            return
        self.flask("db", "upgrade")
        if load_demo:
            lines = self.flask("cafe", "demo").splitlines()
            self.use_demo(dict(line.split(": ", 1) for line in lines if ": " in line))
            if env is None and Server.template is None:
                saved = folder / "template"
                saved.mkdir()
                for part in DATABASE_FILES:
                    if (folder / part).exists():
                        shutil.copy2(folder / part, saved / part)
                Server.template = (saved, self.base, dict(self.urls))

    def copy_demo(self, folder: Path, saved: Path, base: str, urls: dict[str, str]) -> None:
        """Start from a copy of the demo café made earlier in this run, with this server's own URLs."""
        for part in DATABASE_FILES:  # the file and its write-ahead log: no server has it open
            if (saved / part).exists():
                shutil.copy2(saved / part, folder / part)
        self.use_demo({label: url.replace(base, self.base) for label, url in urls.items()})

    def use_demo(self, urls: dict[str, str]) -> None:
        """Take the demo café's URLs, code and API token as `flask cafe demo` printed them (for another server's)."""
        self.urls = urls
        self.code = urls["event code"]
        self.token = urls["api token"]

    def import_setup(self, setup: str, folder: Path) -> dict[str, str]:
        """Set up another event from setup YAML (`flask cafe import`, owned by the demo organiser); its URLs by label."""
        path = folder / f"setup-{time.time_ns()}.yaml"
        path.write_text(setup, encoding="utf-8")
        lines = self.flask("cafe", "import", str(path)).splitlines()
        return dict(line.split(": ", 1) for line in lines if ": " in line)

    def at(self, base: str) -> Server:
        """The same server's API reached through another address, such as a proxy in front of it."""
        other = copy.copy(self)
        other.base = base.rstrip("/")
        return other

    def flask(self, *args: str) -> str:
        """Run a `flask --app wsgi` command against this server's database."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, check=True)
        return result.stdout

    def start(self) -> None:
        """Start serving and wait until the login page answers."""
        self.process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/login", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not answer within 30 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server abruptly (SIGKILL) or politely (SIGTERM)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)

    def close(self) -> None:
        """Stop the server and close its log."""
        self.kill(signal.SIGTERM)
        self.log.close()

    def api(self, method: str, path: str, body: dict[str, Any] | None = None, token: bool = False) -> tuple[int, Any]:
        """Call the JSON API; returns (status, decoded body)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)

    def post_note(self, table: int, text: str, client_id: str, heading: str | None = None) -> tuple[int, Any]:
        """Post a note through the API as a phone does."""
        if heading is None:
            heading = self.event()["tables"][table - 1]["headings"][0]
        return self.api("POST", f"/events/{self.code}/tables/{table}/notes",
                        {"heading": heading, "text": text, "client_id": client_id})

    def event(self) -> dict[str, Any]:
        """The event as the API shows it."""
        return self.api("GET", f"/events/{self.code}")[1]

    def control(self, action: str, **body: Any) -> tuple[int, Any]:
        """Run a round action as the demo facilitator."""
        return self.api("POST", f"/events/{self.code}/rounds/current/{action}", body or None, token=True)

    def ensure_running(self) -> None:
        """Make sure a round is running, whatever earlier tests did (resume, or start the next)."""
        phase = self.event()["current"]["phase"]
        if phase == "paused":
            self.control("resume")
        elif phase != "running":
            self.control("start")
        assert self.event()["current"]["phase"] == "running"
