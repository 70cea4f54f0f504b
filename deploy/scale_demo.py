"""`make scale-demo` (two app processes, an export worker, nginx in front), and nginx configurations from cafe.conf."""
from __future__ import annotations

import argparse
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "cafe.conf"
STICKY = ("ip", "cookie")
MIME_TYPES = Path("/etc/nginx/mime.types")
LOG_FORMAT = "'$remote_addr [$time_local] \"$request\" $status upstream=$upstream_addr \"$http_user_agent\"'"
CLAIM_KEY = "cafe:claimed"


def _replace(pattern: str, replacement: str, text: str) -> str:
    """Replace a pattern that must occur in the site file (so the file and this script stay in step)."""
    result, count = re.subn(pattern, lambda _match: replacement, text, flags=re.MULTILINE)
    if not count:
        raise ValueError(f"{SITE.name} no longer contains {pattern!r}")
    return result


def _uncomment(variant: str, text: str) -> str:
    """Switch on the lines of a sticky variant (`# line  # sticky: NAME` becomes `line`)."""
    result, count = re.subn(rf"^(\s*)# (.+?)  # sticky: {variant}$", r"\1\2", text, flags=re.MULTILINE)
    if not count:
        raise ValueError(f"{SITE.name} has no lines marked `# sticky: {variant}`")
    return result


def site_config(ports: list[int], listen: str, sticky: str | None = None, root: Path = ROOT,
                max_upload_mb: float = 2) -> str:
    """deploy/nginx/cafe.conf for these app ports, listening address and checkout, with a sticky variant on."""
    text = SITE.read_text()
    text = _replace(r"^(    server 127\.0\.0\.1:\d+;\n)+", "".join(f"    server 127.0.0.1:{p};\n" for p in ports), text)
    text = _replace(r"^    listen 80;$", f"    listen {listen};", text)
    size = f"{int(max_upload_mb)}m" if max_upload_mb == int(max_upload_mb) else str(int(max_upload_mb * 1024 * 1024))
    text = _replace(r"client_max_body_size 2m;", f"client_max_body_size {size};", text)
    text = _replace(r"/srv/cafe/", f"{root}/", text)
    if sticky is not None:
        if sticky not in STICKY:
            raise ValueError(f"sticky must be one of {STICKY}, not {sticky!r}")
        text = _uncomment(sticky, text)
    return text


def nginx_config(folder: Path, site: str) -> str:
    """A whole nginx configuration around the site, keeping its pid, logs and buffers in `folder`."""
    user = ""
    if os.geteuid() == 0:  # workers must read the checkout's static files: run them as its owner
        user = f"user {pwd.getpwuid(ROOT.stat().st_uid).pw_name};"
    temp = "\n".join(f"    {kind}_temp_path {folder / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} notice;

events {{
    worker_connections 4096;
}}

http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    log_format cafe {LOG_FORMAT};
    access_log {folder / 'access.log'} cafe;
{temp}

{site}}}
"""


def nginx_binary() -> str | None:
    """nginx from the PATH or Debian's place for it; None when it is not installed."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"  # not on the PATH of users other than root
    return found if os.access(found, os.X_OK) else None


class Nginx:
    """nginx run in the foreground from a generated configuration in a folder of its own."""

    def __init__(self, folder: Path, ports: list[int], listen: str, sticky: str | None = None,
                 max_upload_mb: float = 2):
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.binary = binary
        self.folder = folder
        self.listen = listen
        self.base = f"http://{listen}"
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.config = folder / "nginx.conf"
        self.config.write_text(nginx_config(folder, site_config(ports, listen, sticky, max_upload_mb=max_upload_mb)))
        self.access_log = folder / "access.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *args: str) -> list[str]:
        """The nginx command line for this configuration."""
        return [self.binary, "-e", str(self.folder / "error.log"), "-p", str(self.folder), "-c", str(self.config),
                *args]

    def check(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t`: whether the configuration is valid (the report is on stderr)."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True)

    def start(self) -> None:
        """Start nginx and wait until it answers."""
        checked = self.check()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused {self.config}:\n{checked.stderr}")
        self.process = subprocess.Popen(self.command(), start_new_session=True)
        wait_for(f"{self.base}/static/css/cafe.css", self.process)

    def stop(self) -> None:
        """Stop nginx (fast shutdown)."""
        stop(self.process)

    def upstreams(self, marker: str) -> list[str]:
        """The app processes (host:port) that served the logged requests whose line contains `marker`."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [line.split(" upstream=", 1)[1].split(" ", 1)[0] for line in lines if marker in line]


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Wait until a URL answers, or fail when the process dies or time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Ask a process to stop (SIGTERM), then kill it after ten seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def schema_url(url: str, schema: str) -> str:
    """A PostgreSQL URL (psycopg) whose connections use `schema`: what a server process gets as CAFE_DATABASE_URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def claim_redis_database(url: str) -> str:
    """The URL of an empty Redis database (1-15), marked as taken until it is flushed."""
    import redis

    for number in random.sample(range(1, 16), 15):
        client = redis.Redis.from_url(url, db=number)
        try:
            if client.set(CLAIM_KEY, "1", nx=True):
                if client.dbsize() == 1:
                    return f"{url.rstrip('/')}/{number}"
                client.delete(CLAIM_KEY)
        finally:
            client.close()
    raise RuntimeError(f"every Redis database 1-15 at {url} holds data")


def flush_redis_database(url: str) -> None:
    """Empty a Redis database claimed above."""
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushdb()


def flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app wsgi` command with these settings; returns what it printed."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def spawn(log: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    """Start `python ARGS` from the checkout, its output appended to a log, out of reach of the terminal's Ctrl+C."""
    with open(log, "ab") as output:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def main() -> None:
    """Start everything, print the URLs, and stop everything on Ctrl+C."""
    parser = argparse.ArgumentParser(description="The demo café on two processes behind nginx.")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL URL; the demo uses (and drops) a schema cafe_scale_demo in it")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server; an empty database is used")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="address nginx listens on")
    parser.add_argument("--ports", type=int, nargs="+", default=[5001, 5002], help="ports of the app processes")
    parser.add_argument("--sticky", choices=STICKY, default=None, help="sticky sessions for long-polling clients")
    options = parser.parse_args()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):  # both stop the demo like Ctrl+C, cleaning up
        signal.signal(stop_signal, signal.default_int_handler)

    import redis
    import sqlalchemy as sa

    folder = ROOT / "instance" / "scale-demo"
    folder.mkdir(parents=True, exist_ok=True)
    schema = "cafe_scale_demo"
    admin = sa.create_engine(options.database)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        queue = claim_redis_database(options.redis)
    except (sa.exc.OperationalError, redis.ConnectionError) as error:
        raise SystemExit(f"the scale demo needs PostgreSQL and Redis running: {error}") from None
    public = f"http://{options.listen}"
    env = {**os.environ, "CAFE_DATABASE_URL": schema_url(options.database, schema), "CAFE_MESSAGE_QUEUE": queue,
           "CAFE_SECRET_KEY": os.environ.get("CAFE_SECRET_KEY") or os.urandom(24).hex(),
           "CAFE_PUBLIC_URL": public, "CAFE_EXPORT_DIR": str(folder / "exports"), "CAFE_PROXY_COUNT": "1"}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    nginx: Nginx | None = None
    try:
        nginx = Nginx(folder / "nginx", options.ports, options.listen, options.sticky,
                      float(env.get("CAFE_MAX_UPLOAD_MB", 2)))
        flask(env, "db", "upgrade")
        for port in options.ports:
            processes[f"web {port}"] = spawn(folder / f"web-{port}.log", env, "-m", "gunicorn", "-k", "gevent",
                                             "-w", "1", "--no-control-socket", "--bind", f"127.0.0.1:{port}", "wsgi:app")
        processes["export worker"] = spawn(folder / "worker.log", env, "-m", "flask", "--app", "wsgi", "cafe", "worker")
        for port in options.ports:
            wait_for(f"http://127.0.0.1:{port}/login", processes[f"web {port}"])
        nginx.start()
        print(flask(env, "cafe", "demo"), end="")
        print(f"\nnginx on {public} in front of {', '.join(f'127.0.0.1:{p}' for p in options.ports)}; "
              f"PostgreSQL schema {schema}, Redis {queue}.\nLogs and the nginx configuration: {folder}\n"
              "Press Ctrl+C to stop everything.", flush=True)
        watch(processes, nginx)
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    except (OSError, RuntimeError) as error:
        raise SystemExit(f"the scale demo could not start: {error}\n(logs in {folder})") from None
    finally:
        if nginx is not None:
            nginx.stop()
        for process in processes.values():
            stop(process)
        flush_redis_database(queue)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def watch(processes: dict[str, subprocess.Popen[bytes]], nginx: Nginx) -> None:
    """Wait for Ctrl+C (or SIGTERM); say when a process stops, and give up when nginx or every web process has."""
    reported: set[str] = set()
    while True:
        time.sleep(0.5)
        for name, process in processes.items():
            if process.poll() is not None and name not in reported:
                reported.add(name)
                print(f"the {name} stopped with status {process.returncode} (see its log)", flush=True)
        if nginx.process.poll() is not None or all(n in reported for n in processes if n.startswith("web")):
            raise SystemExit("the demo cannot go on; stopping everything")


if __name__ == "__main__":
    main()
