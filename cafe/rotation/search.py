"""Search over seats: a greedy start, repairs, and simulated annealing.

Three kinds of move, as in the social golfer literature (Dotu and Van
Hentenryck swap two people within a week): two people trade tables in a round;
one person moves to another table; and rings of round exchanges, where each of
two or three people trades their tables of two rounds so that every table keeps
its size. Rings are what a movement needs when every person visits every table,
and single swaps would all be revisits. Moves are picked at random, some of the
time for a person in a conflict, and accepted by the Metropolis rule while the
temperature cools; only balanced states are kept.
"""

from __future__ import annotations

import math
import time
from random import Random

from .model import level_sizes
from .state import State


class Search(State):
    """A state with the moves and the annealing that improve it."""

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
        super().__init__(seat, present, movable, capacity, org, role, first, rng)
        self.focus = 0.3
        self.cycles = 3
        if self.R > self.T:
            # Social golfer territory: people trade places within a round.
            self.hot, self.cold = 0.3, 0.03
            self.p_swap, self.p_exchange, self.p_ring = 0.85, 0.0, 0.1
        else:
            # Share of tables a mover never visits: when it is small, swaps and moves
            # make revisits, and rings of exchanges take over.
            fresh = (self.T - self.R) / self.T
            self.hot, self.cold = 0.6, 0.05
            self.p_swap = 0.02 + 0.6 * fresh**2
            self.p_exchange = 0.05 * fresh
            self.p_ring = 1 - self.p_swap - self.p_exchange - (0.02 + 0.2 * fresh)

    # -- construction and repair ---------------------------------------------

    def fill(self) -> None:
        """Seat everyone present but unseated, round by round, each where it costs least."""
        rng = self.rng
        for r in range(self.first, self.R):
            todo = [p for p in range(self.P) if self.present[p][r] and self.seat[p][r] < 0]
            if not todo:
                continue
            n = sum(1 for p in range(self.P) if self.present[p][r])
            fixed = [0] * self.T
            for p in range(self.P):
                if self.seat[p][r] >= 0 and not self.movable[p]:
                    fixed[self.seat[p][r]] += 1
            base, eligible, extra = level_sizes(self.capacity, fixed, n)
            target = base[:]
            if eligible:
                start = (r * extra) % len(eligible)
                for i in range(extra):
                    target[eligible[(start + i) % len(eligible)]] += 1
            rng.shuffle(todo)
            for p in todo:
                room = [t for t in range(self.T) if len(self.members[r][t]) < target[t]]
                if not room:
                    room = [t for t in range(self.T) if len(self.members[r][t]) < self.capacity[t]]
                best = min(room, key=lambda t: (self._gain(p, r, t, -1), len(self.members[r][t]), rng.random()))
                self._join(p, r, best)
            for p in todo:
                if self.visits[p][self.seat[p][r]] > self.vcap:
                    self._unrevisit(p, r)

    def _unrevisit(self, p: int, r: int) -> None:
        """Move p off a revisited table along a cycle of moves that leaves every size as it was.

        p goes to a table u1 new to them, someone there to a table new to them, and
        so on until someone comes back to p's table: an augmenting cycle, found by
        breadth-first search over tables.
        """
        start = self.seat[p][r]
        limit = self.vcap
        came: dict[int, tuple[int, int]] = {}
        queue = [u for u in range(self.T) if u != start and self.visits[p][u] < limit]
        for u in queue:
            came[u] = (start, p)
        while queue:
            u = queue.pop(0)
            for q in self.members[r][u]:
                if not self.movable[q] or q == p:
                    continue
                for v in range(self.T):
                    if v == u or self.visits[q][v] >= limit or v in came:
                        continue
                    if v == start:
                        moves = [(q, v)]
                        while u != start:
                            prev, who = came[u]
                            moves.append((who, u))
                            u = prev
                        for who, table in moves:
                            self.move(who, r, table)
                        return
                    came[v] = (u, q)
                    queue.append(v)

    def repair(self) -> None:
        """Take movers off tables they revisit, by cycles of moves that keep every size.

        Only while revisits come first, that is with no more rounds than tables.
        """
        if self.R > self.T:
            return
        for r in range(self.first, self.R):
            for p in range(self.P):
                t = self.seat[p][r]
                if t >= 0 and self.movable[p] and self.visits[p][t] > self.vcap:
                    self._unrevisit(p, r)

    def balance(self) -> None:
        """Move people until every open round obeys the balance rule."""
        for r in range(self.first, self.R):
            while True:
                sizes = [len(m) for m in self.members[r]]
                over = [t for t in range(self.T) if sizes[t] > self.capacity[t]]
                room = [t for t in range(self.T) if sizes[t] < self.capacity[t]]
                if not room:
                    break
                b = min(room, key=lambda t: sizes[t])
                if over:
                    a = over[0]
                else:
                    busy = [t for t in range(self.T) if any(self.movable[x] for x in self.members[r][t])]
                    a = max(busy, key=lambda t: sizes[t], default=b)
                    if sizes[a] <= sizes[b] + 1:
                        break
                movers = [x for x in self.members[r][a] if self.movable[x]]
                if not movers:
                    break
                p = min(movers, key=lambda x: self._gain(x, r, b, -1) - self._loss(x, r))
                self.move(p, r, b)

    # -- annealing ---------------------------------------------------------------

    def _pick(self, kinds: tuple[str, ...]) -> tuple[int, int] | None:
        """A movable person in a conflict of one of these kinds, and an open round where it is."""
        rng, seat, meet, visits, P, T = self.rng, self.seat, self.meet, self.visits, self.P, self.T
        for kind in kinds:
            for _ in range(4):
                if kind == "rev":
                    key = self.rev_set.pick(rng, lambda k: visits[k // T][k % T] > self.vcap)
                    if key is None:
                        break
                    p, t = divmod(key, T)
                    rounds = [r for r in range(self.first, self.R) if seat[p][r] == t]
                    if rounds:
                        return p, rng.choice(rounds)
                elif kind == "rep":
                    key = self.rep_pairs.pick(rng, lambda k: meet[k // P][k % P] >= 2)
                    if key is None:
                        break
                    p, q = divmod(key, P)
                    rounds = [r for r in range(self.first, self.R) if seat[p][r] == seat[q][r] >= 0]
                    who = [x for x in (p, q) if self.movable[x]]
                    if rounds and who:
                        return rng.choice(who), rng.choice(rounds)
                else:
                    key = self.org_set.pick(rng, lambda k: self.org_count[k] >= 2)
                    if key is None:
                        break
                    rt, o = divmod(key, self.n_org)
                    r, t = divmod(rt, T)
                    who = [x for x in self.members[r][t] if self.org[x] == o and self.movable[x]]
                    if who:
                        return rng.choice(who), r
        return None

    def anneal(self, deadline: float, goal: tuple[int, ...], scale: int) -> None:
        """Anneal until the leading parts of `primary()` reach `goal`, or the deadline; keep the best.

        Call `balance()` first: the state it leaves sets the balanced size total
        that every kept state must have. A short cold walk comes first, since a
        start that is nearly right (a re-plan, a movement with a few clashes) is
        usually fixed by it without being shaken up. The time left is split into
        a few cooling cycles, each starting again from the best state so far,
        which trims the bad tail of single long runs.
        """
        now = time.perf_counter()
        nearly = self.rev + self.rep <= self.P // 8
        if nearly and self._walk(now + 0.15 * (deadline - now), goal, 0.02 * scale, 0.02 * scale):
            return
        for k in range(self.cycles):
            now = time.perf_counter()
            if self._walk(now + (deadline - now) / (self.cycles - k), goal, self.hot * scale, self.cold * scale):
                return

    def _walk(self, deadline: float, goal: tuple[int, ...], hot: float, cold: float) -> bool:
        """The annealing loop, cooling from `hot` to `cold`; True if the goal was reached."""
        rng = self.rng
        random = rng.random
        seated = {
            r: [p for p in range(self.P) if self.movable[p] and self.seat[p][r] >= 0] for r in range(self.first, self.R)
        }
        opened = [r for r in seated if seated[r]]
        if not opened:
            return True
        kinds = (("rev", "rep", "org") if self.R <= self.T else ("rep", "rev", "org"))[: len(goal)]
        balanced = self.sq
        parts = len(goal)

        def reached() -> bool:
            return self.sq == balanced and all(x <= y for x, y in zip(self.primary()[:parts], goal))

        # Kept states are compared part by part, whatever the weights that steer the walk.
        best_cost, best_seat = self.key(), [row[:] for row in self.seat]
        start = time.perf_counter()
        span = max(deadline - start, 1e-6)
        temperature = hot
        focus = self.focus
        p_swap = self.p_swap
        p_exchange = p_swap + self.p_exchange
        p_ring = p_exchange + self.p_ring
        seat, members, capacity, T = self.seat, self.members, self.capacity, self.T
        meet, visits, vcap, w_rep, w_rev = self.meet, self.visits, self.vcap, self.w_rep, self.w_rev
        extras = self.n_org > 0 or self.n_role > 0
        n_open = len(opened)
        it = 0
        done = reached()
        while not done:
            it += 1
            if it & 255 == 0:
                now = time.perf_counter()
                if now > deadline:
                    break
                temperature = hot * (cold / hot) ** ((now - start) / span)
            picked = self._pick(kinds) if random() < focus else None
            kind = random()
            if picked is None:
                r = opened[int(random() * n_open)]
                people = seated[r]
                p = people[int(random() * len(people))]
            else:
                p, r = picked
                if self.visits[p][seat[p][r]] > vcap:
                    # Rings keep everyone's tables; only a swap or a move ends a revisit.
                    kind = p_swap * random() if random() < 0.5 else p_ring + (1 - p_ring) * random()
            a = seat[p][r]
            if kind < p_swap:
                people = seated[r]
                q = people[int(random() * len(people))]
                b = seat[q][r]
                if b == a:
                    continue
                # swap_delta, written out: this is the busiest line of the search.
                mp, mq = meet[p], meet[q]
                rep = 0
                for x in members[r][a]:
                    if x != p:
                        if mp[x] >= 2:
                            rep -= 1
                        if mq[x]:
                            rep += 1
                for x in members[r][b]:
                    if x != q:
                        if mq[x] >= 2:
                            rep -= 1
                        if mp[x]:
                            rep += 1
                vp, vq = visits[p], visits[q]
                rev = (vp[b] >= vcap) - (vp[a] > vcap) + (vq[a] >= vcap) - (vq[b] > vcap)
                d = w_rep * rep + w_rev * rev
                if extras:
                    d += self.swap_delta(p, q, r) - d
                if d > 0 and (d > 30 * temperature or random() >= math.exp(-d / temperature)):
                    continue
                self.move(p, r, b)
                self.move(q, r, a)
            elif kind < p_ring:
                if n_open < 2:
                    continue
                r2 = opened[int(random() * n_open)]
                if r2 == r or seat[p][r2] < 0 or seat[p][r2] == a:
                    continue
                ring = [p] if kind < p_exchange else self.cycle(p, r, r2)
                if not ring:
                    continue
                if len(ring) == 1:
                    single = self.exchange_delta(p, r, r2)
                    if single is None:
                        continue
                    d = single
                else:
                    d = self.ring_delta(ring, r, r2)
                if d > 0 and (d > 30 * temperature or random() >= math.exp(-d / temperature)):
                    continue
                for x in ring:
                    self.exchange(x, r, r2)
            else:
                b = int(random() * T)
                if b == a or len(members[r][b]) >= capacity[b]:
                    continue
                d = self.relocation_delta(p, r, b)
                if d > 0 and (d > 30 * temperature or random() >= math.exp(-d / temperature)):
                    continue
                self.move(p, r, b)
            if self.sq == balanced:
                cost = self.key()
                if cost < best_cost:
                    best_cost, best_seat = cost, [row[:] for row in seat]
                    done = reached()
        if self.sq != balanced or self.key() > best_cost:
            self.load(best_seat)
        return done
