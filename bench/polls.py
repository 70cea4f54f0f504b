"""A poll answered by a whole room: 2,000 phones and 20 boards as real Socket.IO clients, on one cafe process.

Serves cafe (`python wsgi.py`, SQLite, as `make demo` does), makes an event and a poll through the API, connects
the phones (`join` as the event's page does, view `phone`) and the boards (view `board`) from load-generator
processes, and then:

1. every phone answers the poll once within `--seconds` (JSON POST to the poll's responses, as the page's script
   does); each board records every `poll.results` it gets;
2. the facilitator reveals a second poll's results (hidden until the reveal), which every phone answered too; each
   phone records when `poll.revealed` reaches it.

It prints: from a response to a board showing a result that counts it (p50 and p99; "counts it": the result's
number of answers reaches the answer's place in commit order, read from the database afterwards), answers lost and
stored twice (checked against the database), the server's CPU per answer, the result messages each board got per
second, and the time from the reveal to the last phone having the results. The simulated phones do on a reveal what
the phone page's script does: nothing but receive the message, which carries the results; that the real page makes
no request then is checked in Chromium (tests/browser/test_poll_faces.py).

    .venv/bin/python bench/polls.py            # 2,000 phones, 20 boards, answers within 10 s
    .venv/bin/python bench/polls.py --phones 200 --seconds 5   # a quick smoke run
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from live_load import http_json, log, percentile, prepare_cafe, process_cpu, start_cafe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATORS = 2
CONNECTS_AT_ONCE = 25


async def _generate(conn: Any, base: str, code: str, phones: list[int], boards: list[int]) -> None:
    """One load generator: its phones and boards, driven over a pipe by the coordinator."""
    import aiohttp
    import socketio

    loop = asyncio.get_running_loop()
    # Each socket holds a connection for as long as it lives: their session has no limit; answers share a pool.
    sockets_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    results: list[tuple[float, int, int, int]] = []  # (arrival, board, poll, responses)
    revealed: dict[int, float] = {}
    sent: list[tuple[str, float, float, int]] = []  # (client_id, started, answered, status)
    sockets = []
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def connect(view: str, number: int) -> None:
        client = socketio.AsyncClient(http_session=sockets_session, reconnection=False)
        if view == "board":
            client.on("poll.results", lambda d, b=number: results.append((time.monotonic(), b, d["poll"],
                                                                          d["results"]["responses"])))
        else:
            client.on("poll.revealed", lambda d, n=number: revealed.setdefault(n, time.monotonic()))
        async with gate:
            await client.connect(base, transports=["websocket"], wait_timeout=30)
            await client.call("join", {"event": code, "view": view}, timeout=30)
        sockets.append(client)

    await asyncio.gather(*(connect("board", b) for b in boards), *(connect("phone", n) for n in phones))
    conn.send(("connected", len(sockets)))

    async def answer(number: int, poll: int, at: float, option: int) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        client_id = f"bench-{poll}-{number:05d}"
        started = time.monotonic()
        async with session.post(f"{base}/api/v1/events/{code}/polls/{poll}/responses",
                                json={"client_id": client_id, "device": f"bench-device-{number:05d}",
                                      "choices": [option]}) as response:
            await response.read()
            sent.append((client_id, started, time.monotonic(), response.status))

    while True:
        command, data = await loop.run_in_executor(None, conn.recv)
        if command == "answer":
            start, seconds, poll, options = data
            rng = random.Random(poll)
            await asyncio.gather(*(answer(n, poll, start + rng.random() * seconds, rng.randint(1, options))
                                   for n in phones))
            await asyncio.sleep(2)  # the last coalesced results reach the boards
            conn.send(("answered", {"sent": sent, "results": results}))
            sent, results = [], []
        elif command == "reveal":
            await asyncio.sleep(data)
            conn.send(("revealed", {"revealed": revealed}))
        elif command == "close":
            for client in sockets:
                await client.disconnect()
            await session.close()
            await sockets_session.close()
            conn.send(("closed", None))
            return


def generator(conn: Any, base: str, code: str, phones: list[int], boards: list[int]) -> None:
    """The entry point of a load-generator process."""
    asyncio.run(_generate(conn, base, code, phones, boards))


def commit_ranks(database: Path, poll: int) -> tuple[dict[str, int], int]:
    """Each stored answer's place in commit order (1 for the first), by client id, and how many rows there are."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT client_id FROM poll_responses WHERE poll_id = ? ORDER BY id", (poll,)).fetchall()
    return {client_id: place for place, (client_id,) in enumerate(rows, start=1)}, len(rows)


def board_latencies(sent: list[tuple[str, float, float, int]], results: list[list[tuple[float, int, int]]],
                    ranks: dict[str, int], poll: int) -> list[float]:
    """For each answer, the time from sending it until every board showed a count that includes it."""
    latencies = []
    for client_id, started, _answered, status in sent:
        rank = ranks.get(client_id)
        if rank is None or status != 200:
            continue
        worst = 0.0
        for board in results:
            shown = next((at for at, p, count in board if p == poll and count >= rank and at >= started), None)
            if shown is None:
                worst = float("inf")
                break
            worst = max(worst, shown - started)
        latencies.append(worst)
    return latencies


def main() -> None:
    """Run the poll benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="every phone answers within this time")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cafe-polls-"))
    layout, port = prepare_cafe(folder, ROOT, None, tables=7)
    server = start_cafe(folder, ROOT, None, layout, port)
    base, code, token = server.base, layout["code"], layout["token"]
    try:
        made = [http_json("POST", f"{base}/api/v1/events/{code}/polls", body, token) for body in (
            {"question": "What is your role?", "options": ["RSE", "Researcher", "Data steward", "Manager"]},
            {"question": "Which year?", "kind": "quiz", "options": ["2012", "2016", "2019"], "correct": [2],
             "hide_results": True})]
        live, hidden = made[0]["id"], made[1]["id"]
        for poll in (live, hidden):
            http_json("POST", f"{base}/api/v1/events/{code}/polls/{poll}/open", {}, token)
        http_json("POST", f"{base}/api/v1/events/{code}/activity", {"activity": "poll", "poll": live}, token)
        shares = [list(range(g, args.phones, GENERATORS)) for g in range(GENERATORS)]
        boards = [args.boards // GENERATORS + (g < args.boards % GENERATORS) for g in range(GENERATORS)]
        pipes, processes = [], []
        for g in range(GENERATORS):
            ours, theirs = multiprocessing.Pipe()
            process = multiprocessing.Process(target=generator, args=(theirs, base, code, shares[g],
                                                                      list(range(sum(boards[:g]), sum(boards[:g + 1])))))
            process.start()
            pipes.append(ours)
            processes.append(process)
        log(f"connecting {args.phones} phones and {args.boards} boards")
        connected = sum(pipe.recv()[1] for pipe in pipes)
        log(f"{connected} sockets connected; every phone answers within {args.seconds:g} s")
        figures: dict[str, Any] = {"phones": args.phones, "boards": args.boards, "seconds": args.seconds}
        for poll, options in ((live, 4), (hidden, 3)):
            cpu_before = process_cpu(server.pid)
            start = time.monotonic() + 1.0
            for pipe in pipes:
                pipe.send(("answer", (start, args.seconds, poll, options)))
            answered = [pipe.recv()[1] for pipe in pipes]
            cpu = process_cpu(server.pid) - cpu_before
            sent = [row for part in answered for row in part["sent"]]
            if poll == live:
                ranks, rows = commit_ranks(folder / "cafe.sqlite3", poll)
                by_board: dict[int, list[tuple[float, int, int]]] = {}
                for part in answered:
                    for at, board, polled, responses in part["results"]:
                        by_board.setdefault(board, []).append((at, polled, responses))
                boards_seen = [sorted(rows) for rows in by_board.values()] + [[]] * (args.boards - len(by_board))
                latencies = board_latencies(sent, boards_seen, ranks, poll)
                window = max(at for _, _, at, _ in sent) - min(started for _, started, _, _ in sent)
                figures.update({
                    "answers_ok": sum(1 for *_, status in sent if status == 200),
                    "stored": rows, "lost": args.phones - len(set(ranks) & {c for c, *_ in sent}),
                    "twice": rows - len(ranks),  # rows sharing a client id
                    "p50_ms": 1000 * (percentile(latencies, 0.5) or 0), "p99_ms": 1000 * (percentile(latencies, 0.99) or 0),
                    "cpu_ms_per_answer": 1000 * cpu / max(1, len(ranks)),
                    "messages_per_board_per_s": max(len(b) for b in boards_seen) / max(window, 0.001),
                    "median_messages_per_board_per_s": statistics.median(len(b) for b in boards_seen) / max(window, 0.001),
                })
        reveal_at = time.monotonic()
        http_json("POST", f"{base}/api/v1/events/{code}/polls/{hidden}/reveal", {}, token)
        for pipe in pipes:
            pipe.send(("reveal", 3.0))
        revealed = [pipe.recv()[1] for pipe in pipes]
        arrivals = [at for part in revealed for at in part["revealed"].values()]
        figures.update({"revealed_on": len(arrivals),
                        "reveal_last_ms": 1000 * (max(arrivals) - reveal_at) if arrivals else None})
        for pipe in pipes:
            pipe.send(("close", None))
            pipe.recv()
        for process in processes:
            process.join(timeout=30)
    finally:
        server.stop()
    print_figures(figures)


def print_figures(f: dict[str, Any]) -> None:
    """The figures, and the targets beside them."""
    print(f"\n{f['phones']} phones and {f['boards']} boards, every phone answering within {f['seconds']:g} s "
          "(one cafe process, SQLite)\n")
    rows = [
        ("answers stored / sent", f"{f['stored']} / {f['phones']}", "all"),
        ("lost, stored twice", f"{f['lost']}, {f['twice']}", "0, 0"),
        ("response to every board counting it, p50 / p99", f"{f['p50_ms']:.0f} / {f['p99_ms']:.0f} ms", "p99 < 1000 ms"),
        ("result messages per board per second (most, median)",
         f"{f['messages_per_board_per_s']:.1f}, {f['median_messages_per_board_per_s']:.1f}", "<= 10"),
        ("server CPU per answer", f"{f['cpu_ms_per_answer']:.2f} ms", ""),
        ("reveal: phones that got the results", f"{f['revealed_on']} / {f['phones']}", "all"),
        ("reveal to the last phone", f"{f['reveal_last_ms']:.0f} ms" if f["reveal_last_ms"] is not None else "-", "< 2000 ms"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:>16}   target {target}" if target else f"  {name:<{width}}  {value:>16}")
    print("\n" + json.dumps(f))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
