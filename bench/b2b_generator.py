"""A realistic B2B event as plain data for the scheduling engine (fixed seed, no database).

The 2026 programme: four B2B blocks, which are the workshop slots (Thursday 14:30–15:40,
Friday 9:30–10:40, 14:30–15:15, 15:30–16:40), at 20 + 5 min: 3 + 3 + 2 + 3 = 11 meeting
times. Of the 600 registrations, `people` take part; some come one day only; in each block
a share of them is in a workshop (booked), so not free for that block's times. Accepted
requests follow a skewed degree distribution: partners and big cities reach the cap of 8,
most people have 1–3. Tables are sized the way organisers do: meetings ÷ times + 10 %; the
partners holding a stand meet at their own table.
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetings.optimiser import Item, Problem

BLOCKS = ((0, 3, "thu"), (1, 3, "fri"), (2, 2, "fri"), (3, 3, "fri"))
CAP = 8


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
    free, weight = {}, {}
    for person in range(count):
        days = chance.choices([("thu", "fri"), ("thu",), ("fri",)], weights=(70, 12, 18))[0]
        # A workshop booked in a block: not free for its meeting times (≈ 35 % per block).
        booked = {block for block, _c, _d in BLOCKS if chance.random() < 0.35}
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
