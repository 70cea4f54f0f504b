"""Benchmark of the theme suggestions: agreement with hand-labelled themes, and time on 5,000 notes.

Run from the repository root: `python bench/themes.py`. The labelled set is 300
notes in 30 themes (tests/data/themes_labelled.yaml). Notes left out of every
suggestion count as clusters of one, so leaving notes out is not free.
The timing runs on the labelled notes repeated to 5,000, each copy with a
word dropped and a word borrowed from another note (seeded), median of 3 runs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from math import comb
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cafe.themes import Suggestion, suggest_themes

LABELLED = ROOT / "tests" / "data" / "themes_labelled.yaml"
TARGET_SECONDS = 2.0
LARGE = 5000
RUNS = 3


def load_labelled(path: Path = LABELLED) -> tuple[list[tuple[int, str]], dict[int, int], list[str]]:
    """The labelled notes as (id, text) pairs, each id's theme number, and the theme names."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    notes: list[tuple[int, str]] = []
    labels: dict[int, int] = {}
    names = [theme["name"] for theme in data["themes"]]
    for theme_number, theme in enumerate(data["themes"]):
        for text in theme["notes"]:
            note_id = len(notes) + 1
            notes.append((note_id, text))
            labels[note_id] = theme_number
    return notes, labels, names


def clusters_of(suggestions: Sequence[Suggestion], ids: Sequence[int]) -> dict[int, int]:
    """Each id's suggested group; ids in no group get a cluster of their own."""
    found = {note_id: number for number, s in enumerate(suggestions) for note_id in s.note_ids}
    alone = len(suggestions)
    for note_id in ids:
        if note_id not in found:
            found[note_id] = alone
            alone += 1
    return found


def adjusted_rand_index(truth: dict[int, int], found: dict[int, int]) -> float:
    """Hubert and Arabie's adjusted Rand index, from the contingency table of the two partitions."""
    ids = list(truth)
    n = len(ids)
    pairs = Counter((truth[i], found[i]) for i in ids)
    index = sum(comb(c, 2) for c in pairs.values())
    rows = sum(comb(c, 2) for c in Counter(truth[i] for i in ids).values())
    cols = sum(comb(c, 2) for c in Counter(found[i] for i in ids).values())
    expected = rows * cols / comb(n, 2) if n > 1 else 0.0
    best = (rows + cols) / 2
    return 1.0 if best == expected else (index - expected) / (best - expected)


def purity(truth: dict[int, int], suggestions: Sequence[Suggestion]) -> float:
    """Share of grouped notes whose group's commonest true theme is theirs."""
    grouped = sum(len(s.note_ids) for s in suggestions)
    right = sum(Counter(truth[i] for i in s.note_ids).most_common(1)[0][1] for s in suggestions)
    return right / grouped if grouped else 0.0


def perturbed(notes: Sequence[tuple[int, str]], count: int, seed: int = 7) -> list[tuple[int, str]]:
    """`count` notes cycled from `notes`, each copy with one word dropped and one borrowed."""
    rng = random.Random(seed)
    vocabulary = [word for _, text in notes for word in text.split()]
    out: list[tuple[int, str]] = []
    for n in range(count):
        words = notes[n % len(notes)][1].split()
        if len(words) > 2:
            del words[rng.randrange(len(words))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(vocabulary))
        out.append((n + 1, " ".join(words)))
    return out


def main() -> None:
    """Print the quality figures on the labelled set, and the time on 5,000 notes."""
    notes, truth, names = load_labelled()
    suggestions = suggest_themes(notes)
    found = clusters_of(suggestions, [i for i, _ in notes])
    grouped = sum(len(s.note_ids) for s in suggestions)
    themes = len(set(truth.values()))
    print(f"labelled set: {len(notes)} notes in {themes} themes")
    print(f"  adjusted Rand index  {adjusted_rand_index(truth, found):.3f}  (1 = the labels exactly, 0 = chance)")
    print(f"  purity               {purity(truth, suggestions):.3f}  (share of grouped notes in their group's main theme)")
    print(f"  coverage             {grouped / len(notes):.3f}  ({grouped} of {len(notes)} notes in some group)")
    print(f"  suggested groups     {len(suggestions)}  (sizes {', '.join(str(len(s.note_ids)) for s in suggestions)})")
    print("  the ten largest, with the labelled theme most of their notes come from:")
    for s in suggestions[:10]:
        main_theme, hits = Counter(truth[i] for i in s.note_ids).most_common(1)[0]
        print(f"    {s.name:<24} {len(s.note_ids):>2} notes, score {s.score:.2f}; {hits} from \"{names[main_theme]}\"")

    large = perturbed(notes, LARGE)
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = suggest_themes(large)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(times)
    verdict = "met" if median < TARGET_SECONDS else "NOT met"
    # CPU time alongside: on a shared machine the wall clock also counts other people's work
    print(f"{LARGE} notes: median {median:.2f} s of {RUNS} runs ({', '.join(f'{t:.2f}' for t in times)}; "
          f"CPU {statistics.median(cpu):.2f} s), {len(result)} groups; target {TARGET_SECONDS:.0f} s {verdict}")


if __name__ == "__main__":
    main()
