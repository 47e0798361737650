"""A realistic B2B event as plain data for the scheduling engine (fixed seed, no database).

The 2026 programme (fixtures/edition_2026.json): four B2B blocks, which are the workshop
slots (Wednesday 8 July 14:30–16:00, Thursday 9 July 9:30–11:00, 14:30–15:30 beside the
« Cafés des Rencontres », 15:30–17:00), at 20 + 5 min: 3 + 3 + 2 + 3 = 11 meeting times. Of
the 600 registrations, `people` take part; some come one day only; in each block someone is
in one of that slot's bookable sessions (workshops, regional meetings, cafés) as often as
their seats allow among the people there that day (the fixture's rooms and capacities: 160
seats on Wednesday afternoon, 50 at Thursday's cafés…), so not free for that block's times.
Accepted requests follow a skewed degree distribution: partners and big cities reach the cap
of 8, most people have 1–3. Tables are sized the way organisers do: meetings ÷ times + 10 %;
the partners holding a stand meet at their own table.
"""

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meetings.optimiser import Item, Problem  # noqa: E402

BLOCKS = ((0, 3, "wed"), (1, 3, "thu"), (2, 2, "thu"), (3, 3, "thu"))
CAP = 8
REGISTRATIONS = 600
# Who comes when: both days, the first only, the second only.
DAYS = ((("wed", "thu"), 70), (("wed",), 12), (("thu",), 18))


def busy_share():
    """{block: the share of the people there that day who are in one of its slot's
    bookable sessions}, from the 2026 fixture: its sessions' seats (their own capacity or
    their room's) over the registrations attending that day."""
    objects = json.loads((ROOT / "fixtures" / "edition_2026.json").read_text())
    of = defaultdict(dict)
    for o in objects:
        of[o["model"]][o["pk"]] = o["fields"]
    bookable = {pk for pk, t in of["events.sessiontype"].items() if t.get("is_bookable")}
    starts = sorted(
        {
            of["events.slot"][s["slot"]]["starts_at"]
            for s in of["events.session"].values()
            if of["events.sessiontype"][s["type"]]["slug"] == "b2b"
        }
    )
    seats = dict.fromkeys(range(len(starts)), 0)
    for session in of["events.session"].values():
        start = of["events.slot"][session["slot"]]["starts_at"]
        if session["type"] in bookable and start in starts:
            room = of["events.room"].get(session.get("room"), {})
            seats[starts.index(start)] += session.get("capacity") or room.get("capacity", 0)
    total = sum(weight for _days, weight in DAYS)
    there = {
        day: REGISTRATIONS * sum(w for days, w in DAYS if day in days) / total
        for day in ("wed", "thu")
    }
    return {block: min(1.0, seats[block] / there[day]) for block, _count, day in BLOCKS}


def times():
    found, key = [], 0
    for block, count, _day in BLOCKS:
        for _ in range(count):
            found.append((key, block))
            key += 1
    return tuple(found)


def _people(chance, count):
    """Each person's free times and a weight (how sought after they are)."""
    day_of = {block: day for block, _count, day in BLOCKS}
    share = busy_share()
    free, weight = {}, {}
    for person in range(count):
        days = chance.choices([d for d, _w in DAYS], weights=[w for _d, w in DAYS])[0]
        # In one of the block's sessions: not free for its meeting times.
        booked = {block for block, _c, _d in BLOCKS if chance.random() < share[block]}
        free[person] = frozenset(
            key for key, block in times() if day_of[block] in days and block not in booked
        )
        # Skewed: a few partners and big cities much sought after, most people rarely.
        weight[person] = chance.paretovariate(1.2)
    return free, weight


def _pairs(chance, weight, free, wanted, existing=(), degree=None):
    """`wanted` new accepted pairs, drawn by weight, within each person's cap, each with a
    common free time (part 1 accepts a request at a time both are free)."""
    people = list(weight)
    weights = [weight[p] for p in people]
    degree = dict(degree or dict.fromkeys(people, 0))
    taken = set(existing)
    found = []
    tries = 0
    while len(found) < wanted and tries < wanted * 200:
        tries += 1
        a, b = chance.choices(people, weights=weights, k=2)
        pair = (min(a, b), max(a, b))
        if a == b or pair in taken or degree[a] >= CAP or degree[b] >= CAP:
            continue
        if not free[a] & free[b]:
            continue
        taken.add(pair)
        degree[a] += 1
        degree[b] += 1
        found.append(pair)
    return found, degree


def event(*, people=300, accepted=450, tables=None, stands=10, seed=2026):
    """(problem, weight, chance): a Problem with `accepted` meetings not placed yet, in the
    order they were accepted."""
    chance = random.Random(seed)  # noqa: S311 (made-up people, the same in every run)
    free, weight = _people(chance, people)
    pairs, _degree = _pairs(chance, weight, free, accepted)
    chance.shuffle(pairs)
    tables = tables or round(accepted / len(times()) * 1.1)
    # The most sought-after are partners holding a stand.
    holders = sorted(weight, key=weight.get, reverse=True)[:stands]
    problem = Problem(
        times=times(),
        items=tuple(Item(key, pair) for key, pair in enumerate(pairs)),
        free=free,
        tables=tuple(range(1, tables + 1)),
        stands={p: 1000 + i for i, p in enumerate(holders)},
        cap=CAP,
    )
    return problem, weight, chance


def with_new_acceptances(problem, plan, weight, chance, count=50):
    """The event after `plan` was announced and `count` more requests were accepted."""
    degree = dict.fromkeys(weight, 0)
    for item in problem.items:
        for p in item.people:
            degree[p] += 1
    pairs, _ = _pairs(
        chance, weight, problem.free, count, {i.people for i in problem.items}, degree
    )
    start = len(problem.items)
    announced = [
        Item(i.key, i.people, *plan.placed.get(i.key, (None, None))) for i in problem.items
    ]
    new = [Item(start + n, pair) for n, pair in enumerate(pairs)]
    return Problem(
        times=problem.times,
        items=tuple(announced + new),
        free=problem.free,
        tables=problem.tables,
        stands=problem.stands,
        cap=problem.cap,
    )
