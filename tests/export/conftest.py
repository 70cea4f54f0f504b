"""Snapshots built directly (no database) for the renderers' tests, hostile notes included."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable

import pytest

from cafe.export.snapshot import EventInfo, Figures, NoteInfo, RoundInfo, Snapshot, TableInfo, ThemeInfo

HOSTILE = [
    "<script>alert('x')</script>",
    "<b>bold</b> & <i>italic</i> <img src=x onerror=alert(1)>",
    "**not bold** _not italic_ [link](http://evil.example) # not a heading",
    "| pipe | table | ` backtick `` ```fence",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+1", "-2+3", "@SUM(A1:A2)",
    "مرحبا بالعالم — right-to-left text",
    "Emoji 🎉🙂👩🏽‍🔬 and CJK 数据共享 and Cyrillic данные",
    "x" * 280,
    "{{ 7*7 }} {% raw %} ${7*7}",
    "'; DROP TABLE notes; --",
]
T0 = datetime(2026, 6, 18, 9, 30, tzinfo=timezone.utc)
FILLER = "time training funding cluster software careers mentoring data storage students budget support".split()


@pytest.fixture
def make_snapshot() -> Callable[..., Snapshot]:
    """Build a snapshot: `tables` tables with two headings, `rounds` rounds, `per_heading` notes per heading and
    round (each with `filler` more words, if asked), plus every hostile note at table 1, one hidden note per table,
    and themes when asked."""
    def make(*, tables: int = 3, rounds: int = 2, per_heading: int = 2, hostile: bool = True,
             themes: bool = False, filler: int = 0) -> Snapshot:
        base = "https://cafe.example.org"
        table_infos = tuple(
            TableInfo(number=n, theme=f"Theme {n}", host=f"Host {n}", question=f"What blocks {n}?", capacity=8,
                      headings=("Blockers", "Needed support"), url=f"{base}/t/token-{n:03d}-abcdefghijklmnop")
            for n in range(1, tables + 1))
        notes: list[NoteInfo] = []

        def add(table: int, round_: int, heading: str, text: str, *, votes: int = 0, state: str = "visible",
                author: str | None = None) -> None:
            seq = len(notes) + 1
            notes.append(NoteInfo(id=seq, seq=seq, table=table, round=round_, heading=heading, text=text,
                                  author=author, votes=votes, state=state, created_at=T0 + timedelta(minutes=seq)))

        for t in table_infos:
            for r in range(1, rounds + 1):
                for heading in t.headings:
                    for i in range(per_heading):
                        text = f"T{t.number} R{r} {heading} point {i}"
                        if filler:
                            # Longer notes, each ending in a mark no other note's text contains.
                            words = " ".join(FILLER[(i + k) % len(FILLER)] for k in range(filler))
                            text += f" {words} (#{len(notes) + 1})"
                        add(t.number, r, heading, text, votes=(i * 3 + r) % 5, author="Amara" if i == 0 else None)
            add(t.number, 1, "Blockers", f"HIDDEN note at table {t.number}", state="hidden")
        if hostile:
            for text in HOSTILE:
                add(1, 1, "Needed support", text, author="<em>Eve</em>")
        visible = [n for n in notes if n.visible]
        theme_infos: tuple[ThemeInfo, ...] = ()
        if themes:
            ids = [n.id for n in visible if n.table == 1 and n.heading == "Blockers"]
            theme_infos = (ThemeInfo("Time for training", 1, "Blockers", tuple(ids[:2])),
                           ThemeInfo("Funding gaps", None, None, tuple(n.id for n in visible if n.table == 2)[:3]))
            by_id = {i: t.name for t in theme_infos for i in t.note_ids}
            notes = [NoteInfo(**{**n.__dict__, "theme": by_id.get(n.id)}) for n in notes]
            visible = [n for n in notes if n.visible]
        return Snapshot(
            event=EventInfo(code="K7MQ4T", name="RSE Community Day: World Café", date=date(2026, 6, 18),
                            venue="Weston Hall", description="Seven themed tables.", status="harvest",
                            public_url=base, join_url=f"{base}/e/K7MQ4T"),
            tables=table_infos,
            rounds=tuple(RoundInfo(index=r, minutes=20, question=f"Round {r} question" if r == 2 else "",
                                   state="ended", started_at=T0, ended_at=T0 + timedelta(minutes=20))
                         for r in range(1, rounds + 1)),
            notes=tuple(notes),
            themes=theme_infos,
            figures=Figures(participants=42, tables=tables, rounds=rounds, notes=len(visible),
                            hidden=len(notes) - len(visible), votes=sum(n.votes for n in visible),
                            authors=len({n.author for n in visible if n.author}),
                            notes_per_table={t.number: sum(1 for n in visible if n.table == t.number) for t in table_infos},
                            notes_per_round={r: sum(1 for n in visible if n.round == r) for r in range(1, rounds + 1)}),
            generated_at=T0 + timedelta(hours=3),
        )
    return make
