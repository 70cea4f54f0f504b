"""Benchmark every export on a synthetic café: 300 participants, 30 tables, 6 rounds, 10,000 notes.

Prints, per export, the median wall time over 3 runs and the peak memory of the
process that rendered it (each run in a fresh child process, so one export's
memory never counts against another). Run from the repository root:

    .venv/bin/python bench/exports.py [--runs 3] [--notes 10000] [--only summary.pdf ...]
"""
from __future__ import annotations

import argparse
import json
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


def child(name: str, notes: int) -> None:
    """Render one export once and print its time, size and peak memory as JSON."""
    from cafe.export import RENDERERS

    snapshot = synthetic(notes=notes)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    data = RENDERERS[name].render(snapshot)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "bytes": len(data), "peak_mb": peak / 1024, "grew_mb": (peak - before) / 1024}))


def main() -> None:
    """Run each export in fresh child processes and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.notes)
        return
    from cafe.export import RENDERERS

    names = args.only or list(RENDERERS)
    print(f"{'export':<14}{'median s':>10}{'peak MB':>10}{'grew MB':>10}{'size KB':>10}   runs: {args.runs}, notes: {args.notes}")
    for name in names:
        results = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, __file__, "--child", name, "--notes", str(args.notes)],
                                 capture_output=True, text=True, check=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"{name:<14}{statistics.median(r['seconds'] for r in results):>10.2f}"
              f"{statistics.median(r['peak_mb'] for r in results):>10.0f}"
              f"{statistics.median(r['grew_mb'] for r in results):>10.0f}"
              f"{statistics.median(r['bytes'] for r in results) / 1024:>10.0f}")


if __name__ == "__main__":
    main()
