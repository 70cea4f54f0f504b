"""Itinerary swaps: trade two movers' whole itineraries to part colleagues and mix roles.

Who sits where changes, but the set of itineraries does not, so repeated
encounters, revisits and table sizes stay exactly as they were. That makes
this a safe last step for any plan without played rounds. In a movement it is
the search for an arrangement of people in the grid where colleagues never
share a table.
"""

from __future__ import annotations

import math
import time
from random import Random


def polish(
    seat: list[list[int]],
    movable: list[bool],
    org: list[int],
    role: list[int],
    tables: int,
    rng: Random,
    deadline: float,
    floor: int = 0,
) -> int:
    """Swap movers' itineraries (in place) to part colleagues, then to mix roles.

    Greedy passes come first, as they settle most plans; while same-organisation
    pairs stay above `floor` (those among pinned people) swaps are annealed, and
    greedy passes finish the roles. Every mover must be seated in every round.
    Returns the same-organisation pairs left.
    """
    plan = Itineraries(seat, movable, org, role, tables)
    if not plan.movers or (plan.n_org == 0 and plan.n_role == 0):
        return plan.org_pairs()
    plan.greedy(rng, deadline)
    if plan.org_pairs() > floor and len(plan.movers) > 1:
        plan.anneal(rng, deadline, floor)
        plan.greedy(rng, deadline)
    return plan.org_pairs()


class Itineraries:
    """Seats with counts of organisations and roles per table and round."""

    def __init__(
        self, seat: list[list[int]], movable: list[bool], org: list[int], role: list[int], tables: int
    ) -> None:
        self.seat, self.org, self.role, self.T = seat, org, role, tables
        self.R = len(seat[0]) if seat else 0
        self.n_org, self.n_role = max(org, default=-1) + 1, max(role, default=-1) + 1
        self.movers = [p for p in range(len(seat)) if movable[p]]
        self.recount()
        # One swap changes same-role pairs by at most 4 * R * biggest table: weigh
        # organisations at twice that, so a role gain never buys a colleague pair and
        # the organisation part of a change can be read back by rounding.
        size = [0] * (self.R * tables)
        for row in seat:
            for r, t in enumerate(row):
                size[r * tables + t] += 1
        self.w_org = 8 * self.R * max(size, default=1) + 1

    def recount(self) -> None:
        """Count organisations and roles at every table from the seats."""
        R, T = self.R, self.T
        self.org_count = [0] * (R * T * max(self.n_org, 1))
        self.role_count = [0] * (R * T * max(self.n_role, 1))
        for p, row in enumerate(self.seat):
            for r, t in enumerate(row):
                self._shift(p, r, t, 1)

    def _shift(self, p: int, r: int, t: int, step: int) -> None:
        if self.org[p] >= 0:
            self.org_count[(r * self.T + t) * self.n_org + self.org[p]] += step
        if self.role[p] >= 0:
            self.role_count[(r * self.T + t) * self.n_role + self.role[p]] += step

    def org_pairs(self) -> int:
        """Same-organisation pairs over all tables and rounds."""
        return sum(c * (c - 1) // 2 for c in self.org_count)

    def trouble(self, p: int) -> int:
        """Weighed colleagues and same-role people p sits with."""
        bad = 0
        T, n_org, n_role = self.T, self.n_org, self.n_role
        for r, t in enumerate(self.seat[p]):
            if self.org[p] >= 0:
                bad += self.w_org * (self.org_count[(r * T + t) * n_org + self.org[p]] - 1)
            if self.role[p] >= 0:
                bad += self.role_count[(r * T + t) * n_role + self.role[p]] - 1
        return bad

    def delta(self, p: int, q: int) -> int:
        """Change in weighed pairs if p and q trade itineraries."""
        op, oq, rp, rq = self.org[p], self.org[q], self.role[p], self.role[q]
        oc, rc, T, n_org, n_role, w_org = self.org_count, self.role_count, self.T, self.n_org, self.n_role, self.w_org
        d = 0
        for r, (a, b) in enumerate(zip(self.seat[p], self.seat[q])):
            if a == b:
                continue
            ka, kb = r * T + a, r * T + b
            if op != oq:
                if op >= 0:
                    d += w_org * (oc[kb * n_org + op] - oc[ka * n_org + op] + 1)
                if oq >= 0:
                    d += w_org * (oc[ka * n_org + oq] - oc[kb * n_org + oq] + 1)
            if rp != rq:
                if rp >= 0:
                    d += rc[kb * n_role + rp] - rc[ka * n_role + rp] + 1
                if rq >= 0:
                    d += rc[ka * n_role + rq] - rc[kb * n_role + rq] + 1
        return d

    def swap(self, p: int, q: int) -> None:
        """Trade the itineraries of p and q."""
        for r, (a, b) in enumerate(zip(self.seat[p], self.seat[q])):
            if a != b:
                self._shift(p, r, a, -1)
                self._shift(q, r, b, -1)
                self._shift(p, r, b, 1)
                self._shift(q, r, a, 1)
        self.seat[p], self.seat[q] = self.seat[q], self.seat[p]

    def greedy(self, rng: Random, deadline: float, passes: int = 30) -> None:
        """Passes over everyone in trouble, each taking the best of a sample of swaps."""
        movers = self.movers
        sample = min(len(movers), 60)
        for _ in range(passes):
            hot = [p for p in movers if self.trouble(p) > 0]
            rng.shuffle(hot)
            improved = False
            for p in hot:
                if time.perf_counter() > deadline:
                    return
                if self.trouble(p) == 0:
                    continue
                best, partner = 0, -1
                for q in rng.sample(movers, sample):
                    if q != p:
                        d = self.delta(p, q)
                        if d < best:
                            best, partner = d, q
                if partner >= 0:
                    self.swap(p, partner)
                    improved = True
            if not improved:
                return

    def anneal(self, rng: Random, deadline: float, floor: int) -> None:
        """Anneal swaps, mostly of someone sitting with a colleague, until `floor` or the deadline."""
        random, movers, w_org = rng.random, self.movers, self.w_org
        start = time.perf_counter()
        span = max(deadline - start, 1e-6)
        hot, cold = 0.5 * w_org, 0.05 * w_org
        temperature = hot
        orgs = self.org_pairs()
        best, best_seat = orgs, [row[:] for row in self.seat]
        troubled: list[int] = []
        it = 0
        while orgs > floor:
            it += 1
            if it & 255 == 0:
                now = time.perf_counter()
                if now > deadline:
                    break
                temperature = hot * (cold / hot) ** ((now - start) / span)
            if random() < 0.7:
                # Someone sitting with a colleague; the list is refreshed when it runs dry.
                if not troubled:
                    troubled = [p for p in movers if self.trouble(p) >= w_org] or movers[:]
                i = int(random() * len(troubled))
                p = troubled[i]
                if self.trouble(p) < w_org:
                    troubled[i] = troubled[-1]
                    troubled.pop()
                    continue
            else:
                p = movers[int(random() * len(movers))]
            q = movers[int(random() * len(movers))]
            if p == q:
                continue
            d = self.delta(p, q)
            if d > 0 and (d > 30 * temperature or random() >= math.exp(-d / temperature)):
                continue
            self.swap(p, q)
            orgs += (d + w_org // 2) // w_org
            if orgs < best:
                best, best_seat = orgs, [row[:] for row in self.seat]
        if orgs > best:
            self.seat[:] = best_seat
            self.recount()
