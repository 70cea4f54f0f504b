"""Benchmark every export on a synthetic café: 300 participants, 30 tables, 6 rounds, 10,000 notes.

Prints, per export, the median wall time over 3 runs and the peak memory of the
process that rendered it (each run in a fresh child process, so one export's
memory never counts against another), and of the largest process it started
(the summary's parts are laid out in forked workers). Run from the repository root:

    .venv/bin/python bench/exports.py [--runs 3] [--notes 10000] [--only summary.pdf ...] [--one-piece | --compare]

--one-piece lays the summary out in one piece, as a small café's is; --compare runs
each export both ways, alternately, and prints the ratio of the medians, so that a
shared machine's load weighs on both alike. The load average is printed too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("time training funding cluster GPU software licence careers mentoring recognition data storage "
         "reproducibility community students budget support documentation testing pipelines notebooks "
         "maintenance hiring contracts review citation workshops onboarding security cloud").split()
HEADINGS = ("Blockers", "Needed support", "Quick wins", "Ideas")


def synthetic(tables: int = 30, rounds: int = 6, notes: int = 10_000, participants: int = 300, seed: int = 1):
    """A Snapshot of a large café, built in memory."""
    from cafe.export.snapshot import EventInfo, Figures, NoteInfo, RoundInfo, Snapshot, TableInfo

    rng = random.Random(seed)
    base = "https://cafe.example.org"
    start = datetime(2026, 6, 18, 9, tzinfo=timezone.utc)
    table_infos = tuple(TableInfo(number=n, theme=f"Theme {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                                  host=f"Host {n}", question=f"What would help with {rng.choice(WORDS)}?", capacity=10,
                                  headings=HEADINGS[: 2 + n % 3], url=f"{base}/t/table-token-{n:04d}")
                        for n in range(1, tables + 1))
    infos = []
    for seq in range(1, notes + 1):
        table = table_infos[seq % tables]
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30)))
        infos.append(NoteInfo(id=seq, seq=seq, table=table.number, round=1 + seq % rounds,
                              heading=table.headings[seq % len(table.headings)], text=words.capitalize()[:280],
                              author=rng.choice([None, None, "Amara", "Jonas", "Li"]), votes=rng.randint(0, 6),
                              state="hidden" if seq % 97 == 0 else "visible",
                              created_at=start + timedelta(seconds=seq * 2)))
    visible = [n for n in infos if n.visible]
    return Snapshot(
        event=EventInfo(code="K7MQ4T", name="Benchmark café", date=date(2026, 6, 18), venue="Main hall",
                        description="A synthetic café for benchmarks.", status="harvest", public_url=base,
                        join_url=f"{base}/e/K7MQ4T"),
        tables=table_infos,
        rounds=tuple(RoundInfo(index=r, minutes=20, question="", state="ended", started_at=start, ended_at=start)
                     for r in range(1, rounds + 1)),
        notes=tuple(infos), themes=(),
        figures=Figures(participants=participants, tables=tables, rounds=rounds, notes=len(visible),
                        hidden=len(infos) - len(visible), votes=sum(n.votes for n in visible),
                        authors=3, notes_per_table={t.number: sum(1 for n in visible if n.table == t.number)
                                                   for t in table_infos},
                        notes_per_round={r: sum(1 for n in visible if n.round == r) for r in range(1, rounds + 1)}),
        generated_at=start,
    )


def child(name: str, notes: int, one_piece: bool) -> None:
    """Render one export once and print its time, size and peak memory (its own, its workers') as JSON."""
    from cafe.export import RENDERERS, pdf

    if one_piece:
        pdf.PARTS_ABOVE = sys.maxsize
    snapshot = synthetic(notes=notes)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    data = RENDERERS[name].render(snapshot)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The largest of the processes it started and waited for: forked workers count what they share with it. Zero
    # when it started none, or none larger than a process that ran before (a library probe at import time).
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    workers = workers if workers > children_before and not one_piece else 0
    print(json.dumps({"seconds": seconds, "bytes": len(data), "peak_mb": peak / 1024, "grew_mb": (peak - before) / 1024,
                      "workers_mb": workers / 1024}))


def run(name: str, notes: int, one_piece: bool) -> dict[str, float]:
    """One render of an export in a fresh child process."""
    command = [sys.executable, __file__, "--child", name, "--notes", str(notes), *(["--one-piece"] if one_piece else [])]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(label: str, results: list[dict[str, float]]) -> str:
    """A line of the table: medians of the runs."""
    return (f"{label:<24}{statistics.median(r['seconds'] for r in results):>10.2f}"
            f"{statistics.median(r['peak_mb'] for r in results):>10.0f}"
            f"{statistics.median(r['grew_mb'] for r in results):>10.0f}"
            f"{statistics.median(r['workers_mb'] for r in results):>12.0f}"
            f"{statistics.median(r['bytes'] for r in results) / 1024:>10.0f}")


def main() -> None:
    """Run each export in fresh child processes and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--only", nargs="*")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--one-piece", action="store_true", help="lay the summary out in one piece")
    how.add_argument("--compare", action="store_true", help="run each export in parts and in one piece")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.notes, args.one_piece)
        return
    from cafe.export import RENDERERS

    names = args.only or list(RENDERERS)
    print(f"{'export':<24}{'median s':>10}{'peak MB':>10}{'grew MB':>10}{'workers MB':>12}{'size KB':>10}"
          f"   runs: {args.runs}, notes: {args.notes}, load: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    for name in names:
        if not args.compare:
            print(row(name + (" (one piece)" if args.one_piece else ""),
                      [run(name, args.notes, args.one_piece) for _ in range(args.runs)]))
            continue
        results: dict[bool, list[dict[str, float]]] = {False: [], True: []}
        for index in range(args.runs):
            # Alternate which goes first, so neither always meets the same moment of a shared machine's load.
            for one_piece in (False, True) if index % 2 == 0 else (True, False):
                results[one_piece].append(run(name, args.notes, one_piece))
        print(row(name, results[False]))
        print(row(name + " (one piece)", results[True]))
        ratio = statistics.median(r["seconds"] for r in results[True]) / statistics.median(
            r["seconds"] for r in results[False])
        print(f"{'':<24}one piece / default: {ratio:.2f}")
    print(f"load at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
