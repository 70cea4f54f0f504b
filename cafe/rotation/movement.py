"""Movements: seat people in rows that shift across the tables by fixed offsets.

Tables are the columns 0..T-1 of a grid. Row 0 holds the pinned people (one per
table) and never moves; the movers fill rows 1..s, and in round r the person in
row i, column j sits at table j + a[i][r], the sum taken in a group of order T.
When every row's offsets differ from round to round, and every two rows' offsets
differ by a different amount each round, nobody revisits a table, no pair meets
twice, and each table gets one person from each row in every round (Mitchell's
bridge movement, generalised). Over the field GF(T), T a prime power, the
offsets a[i][r] = r * i do this for any s < T and rounds <= T; for other T a
min-conflicts search over Z_T looks for offsets, and its best attempt, with a
few conflicts, still serves as a starting point for the local search. Rows
beyond T - 1 repeat earlier rows' offsets, and with more rounds than tables the
movement covers the first T rounds: starting points again, with no revisits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from random import Random

from .model import Instance


def prime_power(n: int) -> tuple[int, int] | None:
    """(p, k) with p prime and p**k == n, or None."""
    if n < 2:
        return None
    p = 2
    while p * p <= n and n % p:
        p += 1
    if n % p:
        p = n
    k, rest = 0, n
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


def _poly_mod(a: list[int], m: list[int], p: int) -> list[int]:
    """Remainder of polynomial a by monic m, coefficients low to high, mod p."""
    a = a[:]
    deg = len(m) - 1
    for top in range(len(a) - 1, deg - 1, -1):
        c = a[top] % p
        if c:
            for i in range(deg + 1):
                a[top - deg + i] = (a[top - deg + i] - c * m[i]) % p
    return [x % p for x in a[:deg]]


def _monic(p: int, degree: int, code: int) -> list[int]:
    """The monic polynomial of a degree whose lower coefficients are the base-p digits of code."""
    coeffs = []
    for _ in range(degree):
        coeffs.append(code % p)
        code //= p
    return coeffs + [1]


def _irreducible(p: int, k: int) -> list[int]:
    """A monic irreducible polynomial of degree k over Z_p."""
    for code in range(p**k):
        m = _monic(p, k, code)
        if m[0] == 0:
            continue
        if all(
            any(_poly_mod(m, _monic(p, d, c), p)) for d in range(1, k // 2 + 1) for c in range(p**d)
        ):
            return m
    raise AssertionError(f"no irreducible polynomial of degree {k} over Z_{p}")


class Field:
    """GF(p**k) on the integers 0..p**k - 1, read as base-p digit polynomials."""

    def __init__(self, p: int, k: int) -> None:
        self.p, self.k = p, k
        self.modulus = _irreducible(p, k) if k > 1 else [0, 1]

    def _digits(self, x: int) -> list[int]:
        out = []
        for _ in range(self.k):
            out.append(x % self.p)
            x //= self.p
        return out

    def _number(self, digits: list[int]) -> int:
        x = 0
        for d in reversed(digits):
            x = x * self.p + d
        return x

    def add(self, x: int, y: int) -> int:
        """Field sum."""
        if self.k == 1:
            return (x + y) % self.p
        if self.p == 2:
            return x ^ y
        return self._number([(a + b) % self.p for a, b in zip(self._digits(x), self._digits(y))])

    def mul(self, x: int, y: int) -> int:
        """Field product."""
        if self.k == 1:
            return x * y % self.p
        a, b = self._digits(x), self._digits(y)
        prod = [0] * (2 * self.k - 1)
        for i, ai in enumerate(a):
            if ai:
                for j, bj in enumerate(b):
                    prod[i + j] += ai * bj
        return self._number(_poly_mod(prod, self.modulus, self.p))


def offsets(
    tables: int, rows: int, rounds: int, rng: Random, deadline: float
) -> tuple[list[list[int]], Callable[[int, int], int], int]:
    """Offsets a[row][round] (row 0 and round 0 all zero), the group's addition, and the conflicts left."""
    pk = prime_power(tables)
    if pk is not None and rows <= tables and rounds <= tables:
        field = Field(*pk)
        return [[field.mul(r, i) for r in range(rounds)] for i in range(rows)], field.add, 0

    def add(x: int, y: int) -> int:
        return (x + y) % tables

    # Hall-Paige: with rounds == tables == 2 (mod 4) no group movement has three rows,
    # so the search only looks for a good start.
    hopeless = rounds == tables and tables % 4 == 2 and rows >= 3
    steps = 300 if hopeless else 20000
    matrix, conflicts = _search(tables, rows, rounds, rng, deadline, steps)
    return matrix, add, conflicts


def _search(T: int, rows: int, R: int, rng: Random, deadline: float, steps: int) -> tuple[list[list[int]], int]:
    """Min-conflicts search over Z_T for offsets with all row differences distinct per pair."""
    a = [[(r * i) % T for r in range(R)] for i in range(rows)]
    # count[i][j][d]: rounds where a[i][r] - a[j][r] == d (mod T)
    count = [[[0] * T for _ in range(rows)] for _ in range(rows)]
    for i in range(rows):
        for j in range(rows):
            if i != j:
                for r in range(R):
                    count[i][j][(a[i][r] - a[j][r]) % T] += 1

    # A clash with row 0 (pinned people, or nobody) is a revisit, which the rules
    # forbid, so it weighs more than a pair of people meeting twice.
    weight = [10] + [1] * (rows - 1)

    def clash(i: int, r: int, v: int) -> int:
        here = a[i][r]
        total = 0
        for j in range(rows):
            if j != i:
                d = (v - a[j][r]) % T
                total += weight[j] * (count[i][j][d] - (v == here))
        return total

    def total_conflicts() -> int:
        return sum(
            weight[i] * c * (c - 1) // 2 for i in range(rows) for j in range(i + 1, rows) for c in count[i][j]
        )

    def put(i: int, r: int, v: int) -> None:
        for j in range(rows):
            if j != i:
                old = (a[i][r] - a[j][r]) % T
                new = (v - a[j][r]) % T
                count[i][j][old] -= 1
                count[j][i][-old % T] -= 1
                count[i][j][new] += 1
                count[j][i][-new % T] += 1
        a[i][r] = v

    current = total_conflicts()
    best, best_a = current, [row[:] for row in a]
    variables = [(i, r) for i in range(1, rows) for r in range(1, R)]
    since_best = 0
    for step in range(steps):
        if current == 0 or not variables:
            break
        if step % 64 == 0 and time.perf_counter() > deadline:
            break
        hot = [(i, r) for i, r in variables if clash(i, r, a[i][r]) > 0]
        i, r = rng.choice(hot)
        if rng.random() < 0.05:
            v = rng.randrange(T)
        else:
            scores = [clash(i, r, v) for v in range(T)]
            low = min(scores)
            v = rng.choice([v for v in range(T) if scores[v] == low])
        current += clash(i, r, v) - clash(i, r, a[i][r])
        put(i, r, v)
        since_best += 1
        if current < best:
            best, best_a, since_best = current, [row[:] for row in a], 0
        elif since_best > 40 * len(variables):
            for i, r in variables:
                put(i, r, rng.randrange(T))
            current, since_best = total_conflicts(), 0
    return best_a, best


def movement_seats(inst: Instance, rng: Random, deadline: float) -> tuple[list[list[int]], bool] | None:
    """Seats (person index -> table index per round) from a movement, and whether it is exact.

    None when no movement applies; not exact when its offsets have conflicts, so
    some pairs meet twice.
    """
    T, R = len(inst.tables), inst.rounds
    fixed = inst.fixed_count()
    movers = [p for p, h in enumerate(inst.home) if h is None]
    s = -(-len(movers) // T)
    if max(fixed) > 1 or not movers or T < 2:
        return None
    # With more rounds than tables a movement covers the first T rounds; the rest
    # stay empty (-1) for the search to fill.
    R = min(R, T)
    # At most T - 1 rows can move differently; further rows repeat them, so their
    # column-mates meet every round, but nobody revisits and sizes stay balanced.
    distinct = min(s, T - 1)
    base, add, conflicts = offsets(T, distinct + 1, R, rng, deadline)
    a = [base[0]] + [base[1 + i % distinct] for i in range(s)]
    plane = s == T and inst.rounds > T and max(fixed) == 0
    if plane:
        # Revisits are allowed here and nobody is pinned, so the row that never
        # moves can hold people too: a complete affine plane when T is a prime power,
        # whose last parallel class, the rows themselves, gives one more round.
        a = [base[0]] + base[1:] + [base[0]]
    elif s > distinct:
        conflicts += 1
    empty = s * T - len(movers)
    last = s
    # Empty slots all sit in the last row, so they land on different tables each round;
    # put them where they land on tables that have a pinned person, which are the larger.
    landing = sorted(range(T), key=lambda j: (sum(fixed[add(j, a[last][r])] == 0 for r in range(R)), rng.random()))
    holes = set(landing[:empty])
    slots: list[list[int]] = [list(range(T)) for _ in range(s)]
    slots[last - 1] = [j for j in range(T) if j not in holes]
    order = _rows_by_organisation(inst, movers, [len(row) for row in slots])
    seats: list[list[int]] = [[-1] * inst.rounds for _ in inst.people]
    for p, h in enumerate(inst.home):
        if h is not None:
            seats[p] = [h] * inst.rounds
    for i, members in enumerate(order):
        columns = slots[i][:]
        rng.shuffle(columns)
        for p, j in zip(members, columns):
            seats[p][:R] = [add(j, a[i + 1][r]) for r in range(R)]
            if plane:
                seats[p][R] = i
    return seats, conflicts == 0 and R == inst.rounds


def _rows_by_organisation(inst: Instance, movers: list[int], room: list[int]) -> list[list[int]]:
    """Movers split into rows of the given sizes, colleagues together (row-mates never meet)."""
    groups: dict[int, list[int]] = {}
    loners: list[int] = []
    for p in movers:
        if inst.org[p] >= 0:
            groups.setdefault(inst.org[p], []).append(p)
        else:
            loners.append(p)
    rows: list[list[int]] = [[] for _ in room]
    left = room[:]
    for group in sorted(groups.values(), key=len, reverse=True):
        fits = [i for i in range(len(rows)) if left[i] >= len(group)]
        if fits:
            i = min(fits, key=lambda i: left[i])
            rows[i].extend(group)
            left[i] -= len(group)
            continue
        for p in group:
            i = max(range(len(rows)), key=lambda i: left[i])
            rows[i].append(p)
            left[i] -= 1
    # People without an organisation fill up, sorted by role: people of one role then
    # share rows, whose members never meet, and each table gets a mix of roles.
    loners.sort(key=lambda p: inst.role[p])
    for p in loners:
        i = next(i for i in range(len(rows)) if left[i] > 0)
        rows[i].append(p)
        left[i] -= 1
    return rows
