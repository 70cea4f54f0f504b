"""Rotation plans for World Café rounds and their quality figures (pure: no Flask, no database).

Public API: Person, Table, Plan, Figures, PlanError, Seats, plan_rotation,
replan, plan_choices, measure, is_balanced.

How it works: `movement` builds Mitchell-style movements over GF(T) or Z_T,
`polish` arranges people in them (colleagues apart, roles mixed), and where no
exact movement exists `search` (on the counts kept by `state`) anneals swaps,
moves and rings of round exchanges. `planner` and `choices` put these together;
`figures` measures any plan; `model` holds the types and the input checks.
"""

from .choices import plan_choices
from .figures import measure
from .model import Figures, Person, Plan, PlanError, Seats, Table, is_balanced
from .planner import plan_rotation, replan

__all__ = [
    "Figures",
    "Person",
    "Plan",
    "PlanError",
    "Seats",
    "Table",
    "is_balanced",
    "measure",
    "plan_choices",
    "plan_rotation",
    "replan",
]
