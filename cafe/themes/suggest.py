"""Pure: suggested themes, as groups of notes that share uncommon words.

Each note becomes a TF-IDF vector over word stems (see `text`). Every note is
linked to its most similar neighbours by cosine similarity; groups grow by
average linkage over those links until no two groups are on average at least
`threshold` alike; then a few passes move each note to the group it is most
alike on average, or out of every group. All of it is deterministic: notes are
taken in id order and every tie goes to the lower index.

Measured on the hand-labelled notes in the tests' data and on 5,000 notes by
`bench/themes.py`, which prints the figures.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from cafe.themes.stemming import stem
from cafe.themes.text import LANGUAGES, content_words, fold

# The mean cosine similarity two groups need to merge, and a note needs with a
# group to stay in it. Lower gives fewer, larger, looser groups; the labelled set
# scores best between about 0.05 and 0.07 and falls off slowly on either side.
THRESHOLD = 0.06
# Links kept per note. Few links keep thousands of notes fast; 10 scored as well
# as 20 or 30 on the labelled set.
NEIGHBOURS = 10
# Postings read per note when looking for its neighbours, rarest stems first.
# This bounds the time on large events; on the labelled set (300 notes) it
# never binds, so there every shared stem is read.
BUDGET = 150
# Passes that move notes between groups after the merging: worth about +0.04
# adjusted Rand index on the labelled set; more passes changed little.
PASSES = 3
# Words every café table writes under every heading ("need", "more", "better")
# say little about which theme a note belongs to, so they count for less
# (measured: a small gain, +0.005 adjusted Rand index, more on subsets).
GENERIC_WEIGHT = 0.5
GENERIC = {
    "en": "need needs want wish lack more less better good bad great problem problems issue issues thing things "
          "people nobody someone lot lots really like would help please pls way ways make hard easy",
    "de": "brauchen braucht mehr weniger besser gut schlecht problem probleme fehlt fehlen mangel leute bitte",
    "fr": "besoin manque plus moins mieux bien mal problème problèmes gens faut veut",
    "es": "necesita necesitamos falta más menos mejor bueno malo problema problemas gente",
}


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: a readable name, its notes, its top words and how tightly they hang together."""

    name: str
    note_ids: tuple[int, ...]
    terms: tuple[str, ...]
    score: float  # mean cosine similarity of the notes to the group's centre, 0 to 1


def _generic_stems() -> frozenset[str]:
    """The stems of the generic words, each stemmed in its own language."""
    return frozenset(stem(fold(word), language) for language in LANGUAGES for word in GENERIC[language].split())


GENERIC_STEMS = _generic_stems()
Vector = dict[int, float]


# Options: `threshold` as above; `min_size`, the fewest notes a suggestion may have
# (never fewer than 2); `name_terms`, how many top words make the name; `max_terms`,
# how many top words a suggestion lists.
def suggest_themes(notes: Iterable[tuple[int, str]], *, threshold: float = THRESHOLD, min_size: int = 2,
                   name_terms: int = 2, max_terms: int = 5) -> list[Suggestion]:
    """Groups of notes that seem to say the same thing, largest first; notes that fit no group are left out."""
    texts: dict[int, str] = {}
    for note_id, text in notes:
        texts.setdefault(int(note_id), text)  # a repeated id keeps its first text
    ids = sorted(texts)  # sorted, so the order notes arrive in changes nothing
    analysed = [content_words(texts[i]) for i in ids]
    vocabulary: dict[str, int] = {}
    vectors = _vectors(analysed, vocabulary)
    graph = _neighbours(vectors, NEIGHBOURS, BUDGET)
    groups = [g for g in _average_linkage(graph, threshold) if len(g) >= 2]
    groups = [g for g in _refine(groups, vectors, graph, threshold, PASSES) if len(g) >= max(min_size, 2)]
    stems = {index: term for term, index in vocabulary.items()}
    suggestions = [_describe(g, ids, analysed, vectors, stems, name_terms, max_terms) for g in groups]
    suggestions.sort(key=lambda s: (-len(s.note_ids), -s.score, s.note_ids[0]))
    return suggestions


def _vectors(analysed: Sequence[list[tuple[str, str]]], vocabulary: dict[str, int]) -> list[Vector]:
    """L2-normalised TF-IDF vectors over stem indices; stems found in one note only are left out."""
    counts = [Counter(term for term, _ in words) for words in analysed]
    df: Counter[str] = Counter()
    for count in counts:
        df.update(count.keys())
    n = len(analysed)
    vectors: list[Vector] = []
    for count in counts:
        vector: Vector = {}
        for term, tf in count.items():
            if df[term] < 2:
                continue  # a word no other note shares cannot link notes, and would only dilute the rest
            weight = (1.0 + math.log(tf)) * math.log(n / df[term])
            if term in GENERIC_STEMS:
                weight *= GENERIC_WEIGHT
            if weight > 0:
                vector[vocabulary.setdefault(term, len(vocabulary))] = weight
        norm = math.sqrt(sum(w * w for w in vector.values()))
        vectors.append({t: w / norm for t, w in vector.items()} if norm else {})
    return vectors


def _neighbours(vectors: Sequence[Vector], keep: int, budget: int) -> list[dict[int, float]]:
    """Symmetric links between notes: each note's `keep` most similar others, and whoever chose it."""
    postings: dict[int, tuple[list[int], list[float]]] = {}
    for doc, vector in enumerate(vectors):
        for term, weight in vector.items():
            docs, weights = postings.setdefault(term, ([], []))
            docs.append(doc)
            weights.append(weight)
    rarity = {term: rank for rank, term in enumerate(sorted(postings, key=lambda t: (len(postings[t][0]), t)))}
    links: list[dict[int, float]] = [{} for _ in vectors]
    for i, vector in enumerate(vectors):
        # Only notes that share a stem can be alike. The rarest stems are read first (they weigh
        # most); once `budget` postings are read, the commoner stems only rescore what was found.
        scores: dict[int, float] = {}
        get = scores.get
        read = 0
        terms = sorted(vector, key=rarity.__getitem__)
        for n, term in enumerate(terms):
            docs, weights = postings[term]
            if read and read + len(docs) > budget:
                scores = dict(heapq.nlargest(2 * keep + 1, scores.items(), key=itemgetter(1)))
                for unread in terms[n:]:
                    weight = vector[unread]
                    for j in scores:
                        scores[j] += weight * vectors[j].get(unread, 0.0)
                break
            read += len(docs)
            weight = vector[term]
            for j, other in zip(docs, weights):
                scores[j] = get(j, 0.0) + weight * other
        scores.pop(i, None)
        # nlargest keeps the first of equals: notes in id order, so ties do not depend on input order
        for j, sim in heapq.nlargest(keep, scores.items(), key=itemgetter(1)):
            links[i][j] = sim
            links[j][i] = sim
    return links


def _average_linkage(graph: Sequence[dict[int, float]], threshold: float) -> list[list[int]]:
    """Merge the two groups with the highest mean similarity, until the best is below `threshold`."""
    # Links summed between groups: a group pair's mean similarity is the sum over the product of sizes
    links = [dict(row) for row in graph]
    size = [1] * len(links)
    members = [[i] for i in range(len(links))]
    best = [_best(links, size, i) for i in range(len(links))]
    # One heap entry per group: its best partner; stale entries are skipped when popped
    heap = [(-mean, i, j) for i, (mean, j) in enumerate(best) if j >= 0 and mean >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if best[a] != (-negative, b) or size[b] == 0:
            continue
        keep, gone = (a, b) if len(links[a]) >= len(links[b]) else (b, a)
        kept = links[keep]
        del kept[gone]
        for c, total in links[gone].items():
            if c != keep:
                merged = kept.get(c, 0.0) + total
                kept[c] = merged
                other = links[c]
                del other[gone]
                other[keep] = merged
        links[gone] = {}
        size[keep] += size[gone]
        size[gone] = 0
        members[keep].extend(members[gone])
        members[gone] = []
        best[gone] = (-1.0, -1)
        # The merged group's means all changed; a neighbour's best can only have been one of the two
        for c in kept:
            mean = kept[c] / (size[keep] * size[c])
            if best[c][1] in (a, b) or mean > best[c][0] or (mean == best[c][0] and keep < best[c][1]):
                best[c] = _best(links, size, c)
                if best[c][0] >= threshold:
                    heapq.heappush(heap, (-best[c][0], c, best[c][1]))
        best[keep] = _best(links, size, keep)
        if best[keep][0] >= threshold:
            heapq.heappush(heap, (-best[keep][0], keep, best[keep][1]))
    return [sorted(group) for group in members if group]


def _best(links: Sequence[dict[int, float]], size: Sequence[int], i: int) -> tuple[float, int]:
    """A group's most similar neighbour group and their mean similarity, lowest index on ties."""
    top, partner = -1.0, -1
    for c, total in links[i].items():
        mean = total / (size[i] * size[c])
        if mean > top or (mean == top and c < partner):
            top, partner = mean, c
    return top, partner


def _refine(groups: list[list[int]], vectors: Sequence[Vector], links: Sequence[dict[int, float]],
            threshold: float, passes: int) -> list[list[int]]:
    """Move each note to the group it is most alike on average, or out of all, a few times over."""
    for _ in range(passes):
        home = {doc: g for g, group in enumerate(groups) for doc in group}
        sums: list[dict[int, float]] = []
        for group in groups:
            total: dict[int, float] = {}
            for doc in group:
                for term, weight in vectors[doc].items():
                    total[term] = total.get(term, 0.0) + weight
            sums.append(total)
        moved: dict[int, list[int]] = {}
        for doc, vector in enumerate(vectors):
            # Only the groups of its neighbours (and its own) can be near a note
            candidates = {home[j] for j in links[doc] if j in home}
            if doc in home:
                candidates.add(home[doc])
            choice, top = -1, threshold
            for g in sorted(candidates):
                own = home.get(doc) == g
                others = len(groups[g]) - own
                if others:
                    total = sums[g]
                    # mean similarity to the group's other notes: a note is 1.0 alike with itself
                    mean = (sum(w * total.get(t, 0.0) for t, w in vector.items()) - own) / others
                    if mean >= top and (mean > top or choice < 0):
                        choice, top = g, mean
            if choice >= 0:
                moved.setdefault(choice, []).append(doc)
        groups = [group for _, group in sorted(moved.items()) if len(group) >= 2]
    return groups


def _describe(group: list[int], ids: list[int], analysed: Sequence[list[tuple[str, str]]],
              vectors: Sequence[Vector], stems: dict[int, str], name_terms: int, max_terms: int) -> Suggestion:
    """Name a group by its heaviest shared stems, each in the form its notes use most."""
    centre: dict[int, float] = {}
    spread: Counter[int] = Counter()
    for doc in group:
        for term, weight in vectors[doc].items():
            centre[term] = centre.get(term, 0.0) + weight
        spread.update(vectors[doc].keys())
    norm = math.sqrt(sum(w * w for w in centre.values())) or 1.0
    score = sum(sum(w * centre.get(t, 0.0) for t, w in vectors[doc].items()) for doc in group) / (norm * len(group))
    # Prefer stems that several of the group's notes share; one note's pet word is no name
    shared = [t for t in centre if spread[t] >= 2] or list(centre)
    top = sorted(shared, key=lambda t: (-centre[t], stems[t]))[:max_terms]
    forms: dict[str, Counter[str]] = {}
    for doc in group:
        for term, surface in analysed[doc]:
            forms.setdefault(term, Counter())[surface] += 1
    terms = tuple(forms[stems[t]].most_common(1)[0][0] for t in top)
    return Suggestion(" · ".join(terms[:name_terms]), tuple(ids[doc] for doc in group), terms, round(score, 4))
