"""Seats with incremental counts, and the exact change in cost of every move.

The state is a grid seat[p][r] of table indices (-1: not seated). Rounds before
`first` are frozen (already played); pinned people never move. The cost is
lexicographic, through weights: revisits, then repeated encounters (the other
way round when there are more rounds than tables, where revisits are allowed),
then same-organisation pairs, then same-role pairs. Table sizes are soft: the
sum of squared sizes in open rounds, weighed like a repeat, is lowest exactly
when sizes are balanced, so a search may pass through unbalanced states.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from .model import pairs


class Pool:
    """Keys that may be conflicts: O(1) add, and a random pick that drops keys no longer alive."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.known: set[int] = set()

    def add(self, key: int) -> None:
        if key not in self.known:
            self.known.add(key)
            self.items.append(key)

    def pick(self, rng: Random, alive: Callable[[int], bool]) -> int | None:
        items = self.items
        while items:
            i = int(rng.random() * len(items))
            key = items[i]
            if alive(key):
                return key
            items[i] = items[-1]
            items.pop()
            self.known.discard(key)
        return None


class State:
    """Seats with incremental counts of everything the cost depends on."""

    def __init__(
        self,
        seat: list[list[int]],
        present: list[list[bool]],
        movable: list[bool],
        capacity: list[int],
        org: list[int],
        role: list[int],
        first: int,
        rng: Random,
    ) -> None:
        self.P, self.R, self.T = len(seat), len(present[0]) if present else 0, len(capacity)
        self.present, self.movable, self.capacity = present, movable, capacity
        self.org, self.role, self.first, self.rng = org, role, first, rng
        self.n_org = max(org, default=-1) + 1
        self.n_role = max(role, default=-1) + 1
        self.vcap = max(1, -(-self.R // self.T))
        self.load(seat)
        # One move changes a weighed count by at most 4 * (table size): each weight
        # exceeds what the counts below it can change by, so the order holds move by move.
        biggest = max((len(m) for row in self.members for m in row), default=0) + 2
        step = 4 * biggest + 5
        self.w_role, self.w_org = 1, step
        if self.R <= self.T:
            self.w_rep, self.w_rev = step**2, step**3
        else:
            self.w_rev, self.w_rep = step**2, step**3
        self.w_size = self.w_rep

    # -- state -------------------------------------------------------------

    def load(self, seat: list[list[int]]) -> None:
        """Take these seats and rebuild every count from them."""
        P, R, T = self.P, self.R, self.T
        self.seat = [[-1] * R for _ in range(P)]
        self.members: list[list[list[int]]] = [[[] for _ in range(T)] for _ in range(R)]
        self.meet = [bytearray(P) for _ in range(P)]
        self.visits = [[0] * T for _ in range(P)]
        self.org_count = [0] * (R * T * self.n_org)
        self.role_count = [0] * (R * T * self.n_role)
        self.rev = self.rep = self.orgs = self.roles = self.sq = 0
        self.rep_pairs = Pool()
        self.rev_set = Pool()
        self.org_set = Pool()
        for p in range(P):
            for r in range(R):
                if seat[p][r] >= 0:
                    self._join(p, r, seat[p][r])

    def _join(self, p: int, r: int, t: int) -> None:
        meet, mp, P = self.meet, self.meet[p], self.P
        group = self.members[r][t]
        for x in group:
            m = mp[x]
            mp[x] = meet[x][p] = m + 1
            if m >= 1:
                self.rep += 1
                if m == 1:
                    self.rep_pairs.add(p * P + x if p < x else x * P + p)
        if r >= self.first:
            self.sq += 2 * len(group) + 1
        group.append(p)
        self.seat[p][r] = t
        if self.movable[p]:
            v = self.visits[p][t]
            self.visits[p][t] = v + 1
            if v >= self.vcap:
                self.rev += 1
                self.rev_set.add(p * self.T + t)
        o = self.org[p]
        if o >= 0:
            k = (r * self.T + t) * self.n_org + o
            c = self.org_count[k]
            self.org_count[k] = c + 1
            self.orgs += c
            if c == 1 and r >= self.first:
                self.org_set.add(k)
        o = self.role[p]
        if o >= 0:
            k = (r * self.T + t) * self.n_role + o
            c = self.role_count[k]
            self.role_count[k] = c + 1
            self.roles += c

    def _leave(self, p: int, r: int) -> None:
        t = self.seat[p][r]
        group = self.members[r][t]
        group.remove(p)
        self.seat[p][r] = -1
        if r >= self.first:
            self.sq -= 2 * len(group) + 1
        meet, mp = self.meet, self.meet[p]
        for x in group:
            m = mp[x]
            mp[x] = meet[x][p] = m - 1
            if m >= 2:
                self.rep -= 1
        if self.movable[p]:
            v = self.visits[p][t]
            self.visits[p][t] = v - 1
            if v > self.vcap:
                self.rev -= 1
        o = self.org[p]
        if o >= 0:
            k = (r * self.T + t) * self.n_org + o
            c = self.org_count[k]
            self.org_count[k] = c - 1
            self.orgs -= c - 1
        o = self.role[p]
        if o >= 0:
            k = (r * self.T + t) * self.n_role + o
            c = self.role_count[k]
            self.role_count[k] = c - 1
            self.roles -= c - 1

    def move(self, p: int, r: int, t: int) -> None:
        """Seat p at table t in round r."""
        if self.seat[p][r] >= 0:
            self._leave(p, r)
        self._join(p, r, t)

    def cost(self) -> int:
        """The weighed cost, without the size term (only balanced states are kept)."""
        return self.w_rev * self.rev + self.w_rep * self.rep + self.w_org * self.orgs + self.w_role * self.roles

    def key(self) -> tuple[int, int, int, int]:
        """The counts in order of importance, for comparing states."""
        if self.R <= self.T:
            return self.rev, self.rep, self.orgs, self.roles
        return self.rep, self.rev, self.orgs, self.roles

    def primary(self) -> tuple[int, int, int]:
        """The parts of the cost the search tries to bring to their floor."""
        return self.rev, self.rep, self.orgs

    # -- move evaluation -----------------------------------------------------

    def _gain(self, p: int, r: int, t: int, skip: int) -> int:
        """Cost of p joining table t in round r, ignoring `skip` (who leaves it)."""
        mp = self.meet[p]
        rep = 0
        for x in self.members[r][t]:
            if x != skip and mp[x]:
                rep += 1
        cost = self.w_rep * rep
        if self.movable[p] and self.visits[p][t] >= self.vcap:
            cost += self.w_rev
        o = self.org[p]
        if o >= 0:
            same = self.org_count[(r * self.T + t) * self.n_org + o]
            if skip >= 0 and self.org[skip] == o:
                same -= 1
            cost += self.w_org * same
        o = self.role[p]
        if o >= 0:
            same = self.role_count[(r * self.T + t) * self.n_role + o]
            if skip >= 0 and self.role[skip] == o:
                same -= 1
            cost += self.w_role * same
        return cost

    def _loss(self, p: int, r: int) -> int:
        """Cost saved by p leaving their table in round r."""
        t = self.seat[p][r]
        mp = self.meet[p]
        rep = 0
        for x in self.members[r][t]:
            if mp[x] >= 2 and x != p:
                rep += 1
        cost = self.w_rep * rep
        if self.movable[p] and self.visits[p][t] > self.vcap:
            cost += self.w_rev
        o = self.org[p]
        if o >= 0:
            cost += self.w_org * (self.org_count[(r * self.T + t) * self.n_org + o] - 1)
        o = self.role[p]
        if o >= 0:
            cost += self.w_role * (self.role_count[(r * self.T + t) * self.n_role + o] - 1)
        return cost

    def swap_delta(self, p: int, q: int, r: int) -> int:
        """Change in cost if p and q trade tables in round r."""
        a, b = self.seat[p][r], self.seat[q][r]
        return self._gain(p, r, b, q) - self._loss(p, r) + self._gain(q, r, a, p) - self._loss(q, r)

    def relocation_delta(self, p: int, r: int, b: int) -> int:
        """Change in cost, size term included, if p moves to table b in round r."""
        sa, sb = len(self.members[r][self.seat[p][r]]), len(self.members[r][b])
        return self._gain(p, r, b, -1) - self._loss(p, r) + self.w_size * (2 * (sb - sa) + 2)

    def exchange_delta(self, p: int, r1: int, r2: int) -> int | None:
        """Change in cost if p trades their tables of rounds r1 and r2; None if a table is full."""
        a, b = self.seat[p][r1], self.seat[p][r2]
        m = self.members
        a1, b1, a2, b2 = m[r1][a], m[r1][b], m[r2][a], m[r2][b]
        if len(b1) >= self.capacity[b] or len(a2) >= self.capacity[a]:
            return None
        d = self.w_size * (2 * (len(b1) - len(a1) + len(a2) - len(b2)) + 4)
        # Walk p's own meeting counts through the four steps and back; each step's
        # change in max(0, m - 1) adds up to the true change.
        mp = self.meet[p]
        rep = 0
        for group in (a1, b2):
            for x in group:
                if x != p:
                    c = mp[x]
                    if c >= 2:
                        rep -= 1
                    mp[x] = c - 1
        for group in (b1, a2):
            for x in group:
                c = mp[x]
                if c >= 1:
                    rep += 1
                mp[x] = c + 1
        for group in (b1, a2):
            for x in group:
                mp[x] -= 1
        for group in (a1, b2):
            for x in group:
                if x != p:
                    mp[x] += 1
        d += self.w_rep * rep
        T = self.T
        for kind, count, n, weight in (
            (self.org[p], self.org_count, self.n_org, self.w_org),
            (self.role[p], self.role_count, self.n_role, self.w_role),
        ):
            if kind >= 0:
                d += weight * (count[(r1 * T + b) * n + kind] - count[(r1 * T + a) * n + kind] + 1)
                d += weight * (count[(r2 * T + a) * n + kind] - count[(r2 * T + b) * n + kind] + 1)
        return d

    def ring_delta(self, ring: list[int], r1: int, r2: int) -> int:
        """Change in cost if everyone in a ring (from `cycle`) trades their tables of r1 and r2.

        Ring members sit at different tables and stay apart, so only their meetings
        with others change; sizes and revisits stay as they are.
        """
        seat, meet = self.seat, self.meet
        m1, m2 = self.members[r1], self.members[r2]
        # The ring member now at a table, who leaves it as the next one arrives.
        at1 = {seat[x][r1]: x for x in ring}
        at2 = {seat[x][r2]: x for x in ring}
        rep = 0
        for u in ring:
            mu = meet[u]
            t1, t2 = seat[u][r1], seat[u][r2]
            out1, out2, in1, in2 = m1[t1], m2[t2], m1[t2], m2[t1]
            w1, w2 = at1[t2], at2[t1]
            for x in out1:
                if x != u:
                    c = mu[x]
                    if c >= 2:
                        rep -= 1
                    mu[x] = c - 1
            for x in out2:
                if x != u:
                    c = mu[x]
                    if c >= 2:
                        rep -= 1
                    mu[x] = c - 1
            for x in in1:
                if x != w1:
                    c = mu[x]
                    if c >= 1:
                        rep += 1
                    mu[x] = c + 1
            for x in in2:
                if x != w2:
                    c = mu[x]
                    if c >= 1:
                        rep += 1
                    mu[x] = c + 1
            for x in in1:
                if x != w1:
                    mu[x] -= 1
            for x in in2:
                if x != w2:
                    mu[x] -= 1
            for x in out1:
                if x != u:
                    mu[x] += 1
            for x in out2:
                if x != u:
                    mu[x] += 1
        d = self.w_rep * rep
        T = self.T
        for code, count, n, weight in (
            (self.org, self.org_count, self.n_org, self.w_org),
            (self.role, self.role_count, self.n_role, self.w_role),
        ):
            if not n:
                continue
            for rr, other in ((r1, r2), (r2, r1)):
                change: dict[int, int] = {}
                for u in ring:
                    k = code[u]
                    if k >= 0:
                        out, into = (rr * T + seat[u][rr]) * n + k, (rr * T + seat[u][other]) * n + k
                        change[out] = change.get(out, 0) - 1
                        change[into] = change.get(into, 0) + 1
                for key, c in change.items():
                    if c:
                        before = count[key]
                        d += weight * (pairs(before + c) - pairs(before))
        return d

    def exchange(self, p: int, r1: int, r2: int) -> None:
        """Trade p's tables of rounds r1 and r2."""
        a, b = self.seat[p][r1], self.seat[p][r2]
        self.move(p, r1, b)
        self.move(p, r2, a)

    def cycle(self, p: int, r1: int, r2: int) -> list[int]:
        """People whose round exchanges, with p's, leave every table's size as it was.

        p goes from table a to b in r1 and back in r2; the next person goes from b
        to c and back, and so on until someone goes from some table to a: a cycle
        of two or three people (empty if there is none).
        """
        a, b = self.seat[p][r1], self.seat[p][r2]
        rng, seat, movable = self.rng, self.seat, self.movable
        onward = [q for q in self.members[r1][b] if movable[q] and seat[q][r2] >= 0 and q != p]
        if not onward:
            return []
        back = [q for q in onward if seat[q][r2] == a]
        if back and rng.random() < 0.5:
            return [p, back[int(rng.random() * len(back))]]
        q = onward[int(rng.random() * len(onward))]
        c = seat[q][r2]
        if c == b:
            return []
        close = [z for z in self.members[r1][c] if movable[z] and seat[z][r2] == a and z != p]
        if not close:
            return [p, back[int(rng.random() * len(back))]] if back else []
        return [p, q, close[int(rng.random() * len(close))]]
