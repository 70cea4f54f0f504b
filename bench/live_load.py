"""Live-load benchmark: phones and boards over Socket.IO against a real cafe server, and against the floor.

Starts `python wsgi.py` (one gevent process on 127.0.0.1) on its own temporary SQLite
database (or `--database-url`), makes an event of 200 tables with one running round,
and drives it from several load-generator processes (bench/live_clients.py): phones
that join their table over WebSocket and post notes over HTTP as the phone page does,
and boards that record every `note.created` they receive. Then it runs the same clients
against bench/floor_server.py, a bare python-socketio server on the same stack that
stores nothing, and compares the server CPU each note costs.

Steps: 500, 1,000 and 2,000 phones posting one note a minute each (at random instants)
with 20 boards, each for `--seconds`; a round-end burst (every phone posts within
`--burst-seconds`); a ramp of rising notes/s, each rate for `--ramp-seconds`, until p99
post-to-board latency reaches 250 ms. Per step it prints notes/s offered and stored,
deliveries/s to boards, post-to-board and acknowledgement latency, lost and duplicated
notes (checked against the database), server CPU per note, memory per connection, the
generators' CPU and the machine's load average. Then both servers run at once with the
largest step's phones, idle for one window (the CPU a second each spends holding its
connections), then `--pairs` windows of each alternate between them: CPU per note is
judged on the ratio of their medians. Run from the repository root:

    .venv/bin/python bench/live_load.py [--quick] [--json] [--seconds 60] [--database-url URL]
    .venv/bin/python bench/live_load.py --show report.json    # the table of a saved --json report

Rate limits: the app allows 20 posts a minute per device (the phones' device cookies keep
under it) and 3,000 a minute per client address, with no setting to raise the ceiling.
Each load-generator process therefore posts from its own loopback addresses (127.0.N.M,
`--addresses` per process), like phones reaching the venue over several networks;
`--bearer` instead sends the event's API token, which the address ceiling exempts.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import live_clients  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = 1000
P99_RAMP_MS = 250.0
TARGET_P99_MS = 100.0
TARGET_BURST_P99_MS = 1000.0
TARGET_CPU_RATIO = 1.5
WORDS = ("time training funding cluster software careers mentoring data storage community students budget "
         "support documentation testing pipelines notebooks maintenance hiring review workshops onboarding").split()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    """Progress, on stderr so that --json output stays clean."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share from 0 to 1) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def process_cpu(pid: int) -> float:
    """User plus system CPU seconds a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS


def process_rss_mb(pid: int) -> float:
    """A process's resident memory in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def http_json(method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    """Call a JSON endpoint and return the decoded answer (raises on HTTP errors)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers),
                                timeout=60) as response:
        return json.load(response)


def wait_until_up(base: str, process: subprocess.Popen[bytes], log_file: Path) -> None:
    """Wait until the server answers any HTTP request."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited; its log ends:\n{log_file.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base}/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer within 60 s")


@dataclass
class Server:
    """A server under test: its process, base URL and whether it keeps notes in a database."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    stores: bool

    @property
    def pid(self) -> int:
        """The server process's id."""
        return self.process.pid

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cafe_environment(folder: Path, port: int, database_url: str | None) -> dict[str, str]:
    """The CAFE_* settings of the server under test."""
    return {**os.environ, "CAFE_DATABASE_URL": database_url or f"sqlite:///{folder / 'cafe.sqlite3'}",
            "CAFE_PORT": str(port), "CAFE_HOST": "127.0.0.1", "CAFE_SECRET_KEY": "live-load-benchmark",
            "CAFE_EXPORT_DIR": str(folder / "exports"), "CAFE_PUBLIC_URL": f"http://127.0.0.1:{port}"}


def prepare_cafe(folder: Path, app_root: Path, database_url: str | None, tables: int) -> tuple[dict[str, Any], int]:
    """Build the schema and make the benchmark's event; returns the event's layout and the port to serve on."""
    port = free_port()
    env = cafe_environment(folder, port, database_url)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=app_root, env=env,
                   check=True, capture_output=True)
    made = subprocess.run([sys.executable, str(Path(__file__).parent / "live_event.py"), "--tables", str(tables)],
                          cwd=app_root, env=env, capture_output=True, text=True)
    if made.returncode:
        raise RuntimeError(f"could not make the event:\n{made.stderr[-3000:]}")
    return json.loads(made.stdout.strip().splitlines()[-1]), port


def start_cafe(folder: Path, app_root: Path, database_url: str | None, layout: dict[str, Any], port: int,
               start_round: bool = True) -> Server:
    """Serve cafe with `python wsgi.py` and start the event's round (unless it runs already)."""
    log_file = folder / "cafe.log"
    process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=app_root,
                               env=cafe_environment(folder, port, database_url),
                               stdout=log_file.open("ab"), stderr=subprocess.STDOUT)
    server = Server("cafe", process, f"http://127.0.0.1:{port}", stores=True)
    wait_until_up(server.base, process, log_file)
    if start_round:
        http_json("POST", f"{server.base}/api/v1/events/{layout['code']}/rounds/current/start", {}, layout["token"])
    return server


def start_floor(folder: Path, layout: dict[str, Any]) -> Server:
    """Serve the floor (bench/floor_server.py) for the same event layout."""
    port = free_port()
    layout_file = folder / "layout.json"
    layout_file.write_text(json.dumps(layout))
    log_file = folder / "floor.log"
    process = subprocess.Popen([sys.executable, str(Path(__file__).parent / "floor_server.py"), "--port", str(port),
                                "--layout", str(layout_file)], cwd=ROOT,
                               stdout=log_file.open("ab"), stderr=subprocess.STDOUT)
    server = Server("floor", process, f"http://127.0.0.1:{port}", stores=False)
    wait_until_up(server.base, process, log_file)
    return server


class Generators:
    """The load-generator processes, each driven over a pipe."""

    def __init__(self, count: int, base: str, code: str, addresses: int, bearer: str | None):
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.processes = []
        for index in range(count):
            parent, child = context.Pipe()
            sources = [f"127.0.{index + 1}.{n + 1}" for n in range(addresses)]
            process = context.Process(target=live_clients.main, args=(child, base, code, sources, bearer), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        self.cpu = [0.0] * count
        self.ask([{"cmd": "collect"}] * count)  # wait until every process is up

    @property
    def count(self) -> int:
        """How many processes there are."""
        return len(self.pipes)

    def ask(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send each process its command and wait for every answer."""
        for pipe, command in zip(self.pipes, commands):
            pipe.send(command)
        answers = [pipe.recv() for pipe in self.pipes]
        self.cpu = [answer["cpu"] for answer in answers]
        return answers

    def close(self, graceful: bool = True) -> None:
        """Disconnect every client and end the processes (at once when not graceful)."""
        try:
            if graceful:
                self.ask([{"cmd": "close"}] * self.count)
        finally:
            for process in self.processes:
                process.join(timeout=30 if graceful else 0)
                if process.is_alive():
                    process.kill()


@dataclass
class Step:
    """One measured step: what was planned and what happened."""

    name: str
    phones: int
    boards: int
    seconds: float
    plan: list[tuple[float, int, str, str]]


def note_text(rng: random.Random, number: int) -> str:
    """A note of 40 to 200 characters."""
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
    return f"{words.capitalize()} ({number})"[:200]


def client_id(tag: str) -> str:
    """A fresh client id, as a phone makes one."""
    return f"{tag}-{uuid.uuid4().hex[:24]}"


def steady_plan(rng: random.Random, phones: int, seconds: float, tag: str) -> list[tuple[float, int, str, str]]:
    """Every phone posts once a minute, at a random instant of each minute, for `seconds`."""
    plan = []
    for minute in range(math.ceil(seconds / 60)):
        for phone in range(phones):
            at = minute * 60 + rng.uniform(0, 60)
            if at < seconds:
                plan.append((at, phone, client_id(tag), note_text(rng, len(plan))))
    return sorted(plan)


def burst_plan(rng: random.Random, phones: int, seconds: float, tag: str) -> list[tuple[float, int, str, str]]:
    """Every phone posts once within `seconds`, at random instants (the end of a round)."""
    return sorted((rng.uniform(0, seconds), phone, client_id(tag), note_text(rng, phone)) for phone in range(phones))


def rate_plan(rng: random.Random, phones: int, rate: float, seconds: float, first_phone: int,
              tag: str) -> list[tuple[float, int, str, str]]:
    """`rate` notes a second, evenly spaced, from the phones in turn starting at `first_phone`."""
    count = int(rate * seconds)
    return [(n / rate, (first_phone + n) % phones, client_id(tag), note_text(rng, n)) for n in range(count)]


class Run:
    """One server under test driven through every step by the generators."""

    def __init__(self, server: Server, layout: dict[str, Any], args: argparse.Namespace):
        self.server, self.layout, self.args = server, layout, args
        self.rng = random.Random(args.seed)
        self.generators = Generators(args.procs, server.base, layout["code"], args.addresses,
                                     layout["token"] if args.bearer else None)
        self.connected_phones = 0
        self.last_seq = 0
        self.rss_idle = process_rss_mb(server.pid)
        self.rss_boards = self.rss_idle
        self.connections: list[dict[str, Any]] = []
        self.disconnects = 0
        self.reconnects = 0

    def phone_spec(self, number: int) -> dict[str, Any]:
        """Phone `number`: its table (phones spread over every table) and heading."""
        table = self.layout["tables"][number % len(self.layout["tables"])]
        return {"number": number, "table": table["number"], "table_token": table["token"],
                "heading": table["headings"][number % len(table["headings"])]}

    def connect(self, phones: int, boards: int = 0) -> None:
        """Connect more boards and phones until `phones` phones are connected; note the memory they take."""
        count = self.generators.count
        new = list(range(self.connected_phones, phones))
        commands = [{"cmd": "connect", "boards": boards // count + (1 if i < boards % count else 0),
                     "phones": [self.phone_spec(n) for n in new if n % count == i]} for i in range(count)]
        started = time.monotonic()
        answers = self.generators.ask(commands)
        failed = sum(a["failed"] for a in answers)
        if failed:
            errors = [e for a in answers for e in a["errors"]]
            raise RuntimeError(f"{failed} clients could not connect to {self.server.name}: {errors[:5]}")
        self.connected_phones = phones
        time.sleep(1)
        rss = process_rss_mb(self.server.pid)
        if phones:
            per_connection = (rss - self.rss_boards) * 1024 / phones
        else:
            self.rss_boards = rss
            per_connection = (rss - self.rss_idle) * 1024 / max(boards, 1)
        self.connections.append({"phones": phones, "boards": self.args.boards, "connect_seconds":
                                 round(time.monotonic() - started, 1), "rss_mb": round(rss, 1),
                                 "kb_per_connection": round(per_connection, 1)})
        log(f"{self.server.name}: {phones} phones and {self.args.boards} boards connected in "
            f"{time.monotonic() - started:.1f} s; server RSS {rss:.0f} MB")

    def run_step(self, step: Step) -> dict[str, Any]:
        """Post the step's plan, wait for the boards to receive it, check the database and sum up."""
        count = self.generators.count
        load = os.getloadavg()
        cpu_before, gen_before = process_cpu(self.server.pid), list(self.generators.cpu)
        busy_before = machine_busy_seconds()
        drops_before = self.disconnects
        rss_start = process_rss_mb(self.server.pid)
        started = time.monotonic()
        start = started + 0.5
        commands = [{"cmd": "post", "start": start, "plan": [p for p in step.plan if p[1] % count == i]}
                    for i in range(count)]
        posts = [post for answer in self.generators.ask(commands) for post in answer["posts"]]
        posted = time.monotonic()
        acked = {p[0] for p in posts if p[4] in (200, 201)}
        receipts = self.drain(acked, step.boards)
        ended = time.monotonic()
        cpu = process_cpu(self.server.pid) - cpu_before
        gen_cpu = [after - before for after, before in zip(self.generators.cpu, gen_before)]
        others = machine_busy_seconds() - busy_before - cpu - sum(gen_cpu)
        stored = self.stored_notes() if self.server.stores else None
        return summarise(step, posts, receipts, stored, {"disconnects": self.disconnects - drops_before,
            "server_cpu_s": cpu, "wall_s": ended - started, "post_phase_s": posted - start,
            "generator_cpu_s": gen_cpu, "others_cpu_s": others, "load": load, "rss_start_mb": rss_start,
            "rss_end_mb": process_rss_mb(self.server.pid)})

    def drain(self, acked: set[str], boards: int) -> dict[str, list[list[float]]]:
        """Collect board arrivals until every acknowledged note reached every board, or 3 s pass with none new."""
        receipts: dict[str, list[list[float]]] = {}
        expected = len(acked) * boards
        received = 0
        quiet_since = time.monotonic()
        while True:
            for answer in self.generators.ask([{"cmd": "collect"}] * self.generators.count):
                for cid, arrivals in answer["receipts"].items():
                    receipts.setdefault(cid, []).extend(arrivals)
                    if cid in acked:
                        received += len(arrivals)
                        quiet_since = time.monotonic()
                self.disconnects += answer["disconnects"]
                self.reconnects += answer["reconnects"]
            if received >= expected or time.monotonic() - quiet_since > 3:
                return receipts
            time.sleep(0.25)

    def stored_notes(self) -> list[dict[str, Any]]:
        """Every note stored since the last check, read back through the API (from the database)."""
        found = []
        while True:
            page = http_json("GET", f"{self.server.base}/api/v1/events/{self.layout['code']}/notes"
                                    f"?after={self.last_seq}&limit={PAGE}")
            found += page["notes"]
            self.last_seq = page["last_seq"]
            if len(page["notes"]) < PAGE:
                return found

    def warm_up(self) -> None:
        """A few unmeasured notes, so that first-request costs do not count."""
        plan = rate_plan(self.rng, self.connected_phones, 20, 2, 0, "warm")
        self.run_step(Step("warm-up", self.connected_phones, self.args.boards, 2, plan))

    def steps(self) -> list[dict[str, Any]]:
        """Connect and run every step: steady loads, the burst, then the ramp."""
        args = self.args
        results = []
        self.connect(0, args.boards)
        for index, phones in enumerate(args.steps):
            self.connect(phones)
            if index == 0:
                self.warm_up()
            tag = f"s{phones}"
            log(f"{self.server.name}: {phones} phones, one note a minute each, for {args.seconds:g} s")
            step = Step(f"{phones} phones", phones, args.boards, args.seconds,
                        steady_plan(self.rng, phones, args.seconds, tag))
            results.append(self.finish(step, "steady"))
        phones = self.connected_phones
        log(f"{self.server.name}: burst, {phones} phones within {args.burst_seconds:g} s")
        results.append(self.finish(Step("burst", phones, args.boards, args.burst_seconds,
                                        burst_plan(self.rng, phones, args.burst_seconds, "burst")), "burst"))
        first = 0
        for rate in args.ramp:
            log(f"{self.server.name}: ramp, {rate:g} notes/s for {args.ramp_seconds:g} s")
            plan = rate_plan(self.rng, phones, rate, args.ramp_seconds, first, f"r{rate:g}")
            first += len(plan)
            result = self.finish(Step(f"ramp {rate:g}/s", phones, args.boards, args.ramp_seconds, plan), "ramp")
            results.append(result)
            if not result["held"]:
                break
        return results

    def finish(self, step: Step, kind: str) -> dict[str, Any]:
        """Run a step, label it and log its headline figures."""
        result = {"kind": kind, **self.run_step(step)}
        result["held"] = (result["p99_ms"] is not None and result["p99_ms"] < P99_RAMP_MS and result["errors"] == 0
                          and result["lost"] == 0 and result["missed_deliveries"] == 0)
        log(f"  {result['stored_per_s']:.1f} notes/s stored, p99 {fmt(result['p99_ms'])} ms, errors "
            f"{result['errors']}, lost {result['lost']}, CPU {fmt(result['cpu_ms_per_note'], 2)} ms/note, "
            f"generators {result['generator_cpu_pct_max']:.0f} % max per process")
        return result

    def close(self, graceful: bool = True) -> None:
        """End the generators."""
        self.generators.close(graceful)


def summarise(step: Step, posts: list[list[Any]], receipts: dict[str, list[list[float]]],
              stored: list[dict[str, Any]] | None, usage: dict[str, Any]) -> dict[str, Any]:
    """The step's figures from every post, every board arrival and the notes read back."""
    window = max(usage["post_phase_s"], 1e-9)
    acked = [p for p in posts if p[4] in (200, 201)]
    errors: dict[str, int] = {}
    for p in posts:
        if p[4] not in (200, 201):
            errors[str(p[4])] = errors.get(str(p[4]), 0) + 1
    latencies, missed, duplicated_deliveries = [], 0, 0
    for cid, _planned, sent, _ack, _status, _seq in acked:
        arrivals = receipts.get(cid, [])
        boards = {board for board, _ in arrivals}
        missed += step.boards - len(boards)
        duplicated_deliveries += len(arrivals) - len(boards)
        latencies += [(at - sent) * 1000 for _, at in arrivals]
    ack_ms = [(p[3] - p[2]) * 1000 for p in acked]
    lag_ms = [(p[2] - p[1]) * 1000 for p in posts]
    deliveries = sum(len(arrivals) for cid, arrivals in receipts.items())
    if stored is not None:
        counts: dict[str, int] = {}
        for note in stored:
            counts[note["client_id"]] = counts.get(note["client_id"], 0) + 1
        lost = sum(1 for p in acked if counts.get(p[0], 0) == 0)
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        planned_ids = {p[2] for p in step.plan}
        stored_count = sum(1 for cid in counts if cid in planned_ids)
        unacked_stored = sum(1 for p in posts if p[4] not in (200, 201) and counts.get(p[0], 0))
    else:
        lost = duplicates = unacked_stored = 0
        stored_count = len(acked)
    gen = usage["generator_cpu_s"]
    return {
        "step": step.name, "phones": step.phones, "boards": step.boards, "notes_planned": len(step.plan),
        "seconds": round(window, 1), "offered_per_s": len(step.plan) / step.seconds,
        "stored": stored_count, "stored_per_s": stored_count / window, "deliveries_per_s": deliveries / window,
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies) if latencies else None,
        "ack_p50_ms": percentile(ack_ms, 0.50), "ack_p95_ms": percentile(ack_ms, 0.95),
        "ack_p99_ms": percentile(ack_ms, 0.99),
        "errors": len(posts) - len(acked), "error_statuses": errors, "lost": lost, "duplicates": duplicates,
        "stored_not_acknowledged": unacked_stored, "missed_deliveries": missed,
        "duplicated_deliveries": duplicated_deliveries,
        "server_cpu_s": usage["server_cpu_s"], "server_cpu_pct": 100 * usage["server_cpu_s"] / usage["wall_s"],
        "cpu_ms_per_note": 1000 * usage["server_cpu_s"] / stored_count if stored_count else None,
        "generator_cpu_pct_total": 100 * sum(gen) / usage["wall_s"],
        "generator_cpu_pct_max": 100 * max(gen) / usage["wall_s"] if gen else 0.0,
        "disconnects": usage["disconnects"],
        "other_work_cpu_pct": 100 * usage["others_cpu_s"] / usage["wall_s"],
        "schedule_lag_p99_ms": percentile(lag_ms, 0.99), "rss_mb": usage["rss_end_mb"],
        "load_average": [round(x, 2) for x in usage["load"]],
    }


def paired(folder: Path, args: argparse.Namespace, layout: dict[str, Any], port: int) -> dict[str, Any]:
    """CPU per note side by side: both servers up, each with its own clients at the largest step, and steady
    windows that alternate between them (`--pairs` each, the first server of a pair alternating too), so a
    machine that slows down for a while slows both. The ratio is of the two servers' medians."""
    phones, servers, runs = max(args.steps), {}, {}
    windows: dict[str, list[float]] = {}
    try:
        servers["cafe"] = start_cafe(folder, args.app_root.resolve(), args.database_url, layout, port, False)
        servers["floor"] = start_floor(folder, layout)
        for name, server in servers.items():
            runs[name] = Run(server, layout, args)
            runs[name].connect(0, args.boards)
            runs[name].connect(phones)
            runs[name].warm_up()
            windows[name] = []
        log(f"both servers idle with their clients connected, {args.pair_seconds:g} s")
        idle = idle_cpu(servers, args.pair_seconds)
        for index in range(args.pairs):
            for name in (list(runs) if index % 2 == 0 else list(reversed(runs))):
                log(f"{name}: paired window {index + 1} of {args.pairs}, {phones} phones, {args.pair_seconds:g} s")
                plan = steady_plan(runs[name].rng, phones, args.pair_seconds, f"p{index}")
                result = runs[name].finish(Step(f"pair {index + 1}", phones, args.boards, args.pair_seconds, plan),
                                           "pair")
                windows[name].append(result["cpu_ms_per_note"])
    finally:
        for run in runs.values():
            run.close()
        for server in servers.values():
            server.stop()
    medians = {name: statistics.median(values) for name, values in windows.items()}
    if not all(windows["floor"]):  # CPU is counted in clock ticks: a window too short for them measures nothing
        raise RuntimeError(f"a paired window of the floor measured no CPU: make --pair-seconds longer "
                           f"({args.pair_seconds:g} s now)")
    return {"phones": phones, "boards": args.boards, "seconds": args.pair_seconds, "cpu_ms_per_note": windows,
            "idle_cpu_ms_per_s": idle,
            "median": medians, "ratio": medians["cafe"] / medians["floor"],
            "ratios": [c / f for c, f in zip(windows["cafe"], windows["floor"])]}


def idle_cpu(servers: dict[str, Server], seconds: float) -> dict[str, float]:
    """Each server's CPU milliseconds a second while its clients stay connected and nobody posts (pings, and
    whatever else a server does by itself), measured over the same seconds."""
    before = {name: process_cpu(server.pid) for name, server in servers.items()}
    time.sleep(seconds)
    return {name: (process_cpu(server.pid) - before[name]) * 1000 / seconds for name, server in servers.items()}


def fmt(value: float | None, digits: int = 0) -> str:
    """A number for the table, or a dash."""
    return "-" if value is None else f"{value:,.{digits}f}"


def compare(cafe: list[dict[str, Any]], floor: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Server CPU per note of cafe against the floor, step by step."""
    rows = []
    floor_by_step = {r["step"]: r for r in floor}
    for row in cafe:
        other = floor_by_step.get(row["step"])
        if other and row["cpu_ms_per_note"] and other["cpu_ms_per_note"]:
            rows.append({"step": row["step"], "cafe_cpu_ms_per_note": row["cpu_ms_per_note"],
                         "floor_cpu_ms_per_note": other["cpu_ms_per_note"],
                         "ratio": row["cpu_ms_per_note"] / other["cpu_ms_per_note"]})
    return rows


def best_ramp(results: list[dict[str, Any]]) -> float | None:
    """The most notes/s a ramp stage held with p99 under 250 ms, no errors and no loss."""
    held = [r["stored_per_s"] for r in results if r["kind"] == "ramp" and r["held"]]
    return max(held) if held else None


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets, each with the figure measured and whether it is met."""
    cafe = report["results"].get("cafe", [])
    checks = []
    steady = [r for r in cafe if r["kind"] == "steady"]
    if steady:
        top = steady[-1]
        checks.append({"target": f"{top['phones']} phones + {top['boards']} boards, p99 post-to-board < "
                                 f"{TARGET_P99_MS:.0f} ms", "measured": f"p99 {fmt(top['p99_ms'])} ms, lost "
                                 f"{top['lost']}, errors {top['errors']}",
                       "met": top["p99_ms"] is not None and top["p99_ms"] < TARGET_P99_MS and top["errors"] == 0
                       and top["lost"] == 0})
    burst = next((r for r in cafe if r["kind"] == "burst"), None)
    if burst:
        checks.append({"target": "burst: zero loss, zero duplicates, p99 < 1 s",
                       "measured": f"lost {burst['lost']}, duplicates {burst['duplicates']}, missed deliveries "
                                   f"{burst['missed_deliveries']}, errors {burst['errors']}, p99 "
                                   f"{fmt(burst['p99_ms'])} ms",
                       "met": burst["lost"] == 0 and burst["duplicates"] == 0 and burst["missed_deliveries"] == 0
                       and burst["errors"] == 0 and burst["p99_ms"] is not None
                       and burst["p99_ms"] < TARGET_BURST_P99_MS})
    pairs = report.get("paired")
    ratios = report.get("cpu_per_note", [])
    if pairs:
        checks.append({"target": f"cafe CPU per note at most {TARGET_CPU_RATIO}x the floor",
                       "measured": f"{pairs['ratio']:.2f}x, medians of {len(pairs['ratios'])} paired windows at "
                                   f"{pairs['phones']} phones ({pairs['median']['cafe']:.2f} vs "
                                   f"{pairs['median']['floor']:.2f} ms)",
                       "met": pairs["ratio"] <= TARGET_CPU_RATIO})
    elif ratios:
        top = ratios[-1] if not steady else next((r for r in ratios if r["step"] == steady[-1]["step"]), ratios[-1])
        checks.append({"target": f"cafe CPU per note at most {TARGET_CPU_RATIO}x the floor",
                       "measured": f"{top['ratio']:.1f}x at {top['step']} ({top['cafe_cpu_ms_per_note']:.2f} vs "
                                   f"{top['floor_cpu_ms_per_note']:.2f} ms)",
                       "met": top["ratio"] <= TARGET_CPU_RATIO})
    return checks


def print_report(report: dict[str, Any]) -> None:
    """The figures as readable tables."""
    print(f"Live load: {report['config']['procs']} generator processes, {report['config']['boards']} boards, "
          f"{report['config']['tables']} tables, database {report['config']['database']}; "
          f"{report['cpus']} CPUs, load average at start {report['load_average_start']}, at end "
          f"{report['load_average_end']}")
    for name, results in report["results"].items():
        print(f"\n{name}")
        print(f"{'step':<14}{'offered/s':>10}{'stored/s':>9}{'deliv/s':>9}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
              f"{'ack50':>7}{'ack95':>7}{'ack99':>7}{'err':>5}{'lost':>5}{'dup':>4}{'miss':>5}")
        for r in results:
            print(f"{r['step']:<14}{r['offered_per_s']:>10.1f}{r['stored_per_s']:>9.1f}{r['deliveries_per_s']:>9.0f}"
                  f"{fmt(r['p50_ms']):>7}{fmt(r['p95_ms']):>7}{fmt(r['p99_ms']):>7}{fmt(r['max_ms']):>7}"
                  f"{fmt(r['ack_p50_ms']):>7}{fmt(r['ack_p95_ms']):>7}{fmt(r['ack_p99_ms']):>7}{r['errors']:>5}"
                  f"{r['lost']:>5}{r['duplicates']:>4}{r['missed_deliveries']:>5}")
        print(f"{'step':<14}{'CPU ms/note':>12}{'server CPU%':>12}{'gen CPU% sum':>13}{'gen max':>8}"
              f"{'lag p99':>8}{'RSS MB':>8}{'drops':>6}{'others%':>8}{'load 1m':>8}")
        for r in results:
            print(f"{r['step']:<14}{fmt(r['cpu_ms_per_note'], 2):>12}{r['server_cpu_pct']:>12.0f}"
                  f"{r['generator_cpu_pct_total']:>13.0f}{r['generator_cpu_pct_max']:>8.0f}"
                  f"{fmt(r['schedule_lag_p99_ms']):>8}{r['rss_mb']:>8.0f}{r['disconnects']:>6}"
                  f"{r['other_work_cpu_pct']:>8.0f}"
                  f"{r['load_average'][0]:>8.2f}")
        print(f"most notes/s held with p99 < {P99_RAMP_MS:.0f} ms: {fmt(report['ramp_best'].get(name), 1)}")
        print("memory (server RSS; growth per board over the idle server, per phone over the boards only): " +
              "; ".join(f"{c['phones']} phones + {c['boards']} boards: {c['rss_mb']:.0f} MB, "
                        f"{c['kb_per_connection']:.0f} KB per connection, connected in {c['connect_seconds']:.0f} s"
                        for c in report["connections"][name]))
    if report["cpu_per_note"]:
        print("\nserver CPU per note, cafe vs floor: " + "; ".join(
            f"{r['step']}: {r['cafe_cpu_ms_per_note']:.2f} / {r['floor_cpu_ms_per_note']:.2f} ms = {r['ratio']:.1f}x"
            for r in report["cpu_per_note"]))
    if pairs := report.get("paired"):
        print(f"\npaired windows ({pairs['phones']} phones, {pairs['boards']} boards, {pairs['seconds']:g} s each, "
              "alternating), server CPU ms per note:")
        for name, values in pairs["cpu_ms_per_note"].items():
            print(f"  {name:<6}" + "".join(f"{v:>7.2f}" for v in values) + f"   median {pairs['median'][name]:.2f}")
        print(f"  ratio of the medians {pairs['ratio']:.2f}x; window by window " +
              ", ".join(f"{r:.2f}x" for r in pairs["ratios"]))
        if idle := pairs.get("idle_cpu_ms_per_s"):
            print("  before the windows, connected and idle, server CPU ms a second: " +
                  ", ".join(f"{name} {value:.1f}" for name, value in idle.items()))
    print("\ntargets:")
    for check in report["targets"]:
        print(f"  [{'met' if check['met'] else 'MISSED'}] {check['target']}: {check['measured']}")
    print("CPU% is of one core (the machine has several): 'gen' the load generators (sum, and the busiest "
          "process), 'others%' everything else running on the machine meanwhile; 'lag p99' how late the "
          "generators sent posts against their plan (ms); 'drops' client connections lost (they reconnect and "
          "join again, as the pages do).")
    print("latencies in ms; post-to-board is from the phone sending its POST to a board receiving note.created, "
          "over every board; 'miss' counts (note, board) pairs never delivered.")


def options() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small numbers, about a minute: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seconds", type=float, default=60, help="measured window of each steady step")
    parser.add_argument("--steps", default="500,1000,2000", help="phones in each steady step")
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--ramp", default="25,50,75,100,150,200,300,400", help="notes/s of each ramp stage")
    parser.add_argument("--ramp-seconds", type=float, default=20)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--procs", type=int, default=4, help="load-generator processes")
    parser.add_argument("--addresses", type=int, default=4, help="loopback source addresses per generator process")
    parser.add_argument("--bearer", action="store_true",
                        help="send the event's API token with each post (exempt from the per-address ceiling)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL for cafe (default: a temporary SQLite file)")
    parser.add_argument("--targets", default="cafe,floor", help="servers to measure: cafe, floor or both")
    parser.add_argument("--pairs", type=int, default=5,
                        help="paired CPU windows per server after the steps, when both are measured (0: none)")
    parser.add_argument("--pair-seconds", type=float, default=30, help="length of each paired window")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app is served")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=Path, default=None, help="print the table of a report saved with --json")
    if "--quick" in sys.argv[1:]:
        parser.set_defaults(seconds=8, steps="50,100", boards=4, burst_seconds=3, ramp="20,40,80", ramp_seconds=4,
                            procs=2, tables=20, pairs=2, pair_seconds=15)
    args = parser.parse_args()
    args.steps = [int(x) for x in str(args.steps).split(",")]
    args.ramp = [float(x) for x in str(args.ramp).split(",")]
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    return args


def main() -> None:
    """Measure cafe and the floor, then print the figures."""
    args = options()
    if args.show:
        print_report(json.loads(args.show.read_text()))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out
    report: dict[str, Any] = {
        "config": {"procs": args.procs, "boards": args.boards, "tables": args.tables, "steps": args.steps,
                   "pairs": args.pairs, "pair_seconds": args.pair_seconds,
                   "seconds": args.seconds, "burst_seconds": args.burst_seconds, "ramp": args.ramp,
                   "ramp_seconds": args.ramp_seconds, "addresses_per_proc": args.addresses, "bearer": args.bearer,
                   "database": "postgresql" if (args.database_url or "").startswith("postgres") else
                   ("sqlite (temporary)" if not args.database_url else args.database_url.split(":")[0])},
        "cpus": os.cpu_count(), "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "results": {}, "connections": {}, "ramp_best": {}}
    with tempfile.TemporaryDirectory(prefix="live-load-") as tmp:
        folder = Path(tmp)
        log("making the event")
        layout, port = prepare_cafe(folder, args.app_root.resolve(), args.database_url, args.tables)
        for name in args.targets:
            log(f"starting {name}")
            server = (start_cafe(folder, args.app_root.resolve(), args.database_url, layout, port) if name == "cafe"
                      else start_floor(folder, layout))
            run = None
            try:
                run = Run(server, layout, args)
                report["results"][name] = run.steps()
                report["connections"][name] = run.connections
                report["ramp_best"][name] = best_ramp(report["results"][name])
                report.setdefault("disconnects", {})[name] = run.disconnects
                report.setdefault("reconnects", {})[name] = run.reconnects
                run.close()
            except BaseException:
                if run is not None:
                    run.close(graceful=False)
                raise
            finally:
                server.stop()
        if args.pairs and {"cafe", "floor"} <= set(args.targets):
            log(f"paired windows: both servers up, {args.pairs} windows each")
            report["paired"] = paired(folder, args, layout, port)
    report["cpu_per_note"] = compare(report["results"].get("cafe", []), report["results"].get("floor", []))
    report["targets"] = targets(report)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
