"""The scheduling engine on small events whose best plan is known by hand."""

import random
from collections import Counter

import pytest

from meetings.optimiser import (
    NO_COMMON_TIME,
    NO_TABLE,
    OVER_CAP,
    TIMES_TAKEN,
    Item,
    Problem,
    greedy,
    optimise,
    upper_bound,
)

A, B, C, D, E = 1, 2, 3, 4, 5
T1, T2, T3 = 10, 20, 30
ONE_BLOCK = ((T1, 1), (T2, 1), (T3, 1))


def problem(items, free, *, tables=(101,), stands=None, cap=8, times=ONE_BLOCK):
    return Problem(
        times=times,
        items=tuple(items),
        free={p: frozenset(ts) for p, ts in free.items()},
        tables=tables,
        stands=stands or {},
        cap=cap,
    )


def assert_valid(p, plan):
    """Each person once per time, within their free times and cap; each table once per time;
    stand holders at their stand; every meeting either placed or explained."""
    by_key = {i.key: i for i in p.items}
    seats = Counter()
    tables = Counter()
    per_person = Counter()
    for key, (time, table) in plan.placed.items():
        item = by_key[key]
        tables[time, table] += 1
        for person in item.people:
            seats[person, time] += 1
            per_person[person] += 1
            if not item.locked:
                assert time in p.free[person]
        stand = [p.stands[q] for q in item.people if q in p.stands]
        assert table in stand if stand else table in p.tables
    assert max(seats.values(), default=1) == 1
    assert max(tables.values(), default=1) == 1
    assert max(per_person.values(), default=0) <= p.cap
    assert set(plan.placed) | set(plan.unplaced) == set(by_key)
    assert not set(plan.placed) & set(plan.unplaced)


def test_the_optimiser_places_what_first_come_leaves_out():
    # A–B accepted first: first come takes T1, the only time C is free, so A–C finds A busy.
    p = problem(
        [Item(1, (A, B)), Item(2, (A, C))],
        {A: {T1, T2}, B: {T1, T2}, C: {T1}},
        times=((T1, 1), (T2, 1)),
    )
    first_come = greedy(p)
    assert first_come.placed == {1: (T1, 101)}
    assert first_come.unplaced == {2: TIMES_TAKEN}

    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed == {1: (T2, 101), 2: (T1, 101)}
    assert plan.unplaced == {}
    assert plan.optimal and plan.bound == 2 == upper_bound(p)


def test_meetings_keep_their_announced_time_and_table_when_nothing_forces_a_move():
    p = problem(
        [Item(1, (A, B), T3, 102), Item(2, (C, D), T2, 101), Item(3, (A, C))],
        {A: {T1, T2, T3}, B: {T1, T2, T3}, C: {T1, T2, T3}, D: {T1, T2, T3}},
        tables=(101, 102),
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed[1] == (T3, 102)
    assert plan.placed[2] == (T2, 101)
    assert plan.moved == []
    assert plan.placed[3][0] == T1


def test_only_what_a_newcomer_needs_moves():
    # A–B told T1; the new A–C can only be at T1 (C's only free time): A–B moves, alone.
    p = problem(
        [Item(1, (A, B), T1, 101), Item(2, (D, E), T2, 101), Item(3, (A, C))],
        {A: {T1, T2, T3}, B: {T1, T2, T3}, C: {T1}, D: {T1, T2, T3}, E: {T1, T2, T3}},
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed[3] == (T1, 101)
    assert plan.moved == [1]
    assert plan.placed[1][0] == T3  # T2's only table is D–E's, which stays


def test_locked_meetings_never_move():
    p = problem(
        [Item(1, (A, B), T1, 101, locked=True), Item(2, (A, C))],
        {A: {T1, T2}, B: {T1, T2}, C: {T1}},
        times=((T1, 1), (T2, 1)),
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed == {1: (T1, 101)}
    assert plan.unplaced == {2: TIMES_TAKEN}
    assert plan.moved == []


def test_a_stand_holder_meets_at_their_stand_without_taking_a_shared_table():
    # One shared table, one time: both meetings fit only because C has a stand.
    p = problem(
        [Item(1, (A, B)), Item(2, (C, D))],
        {A: {T1}, B: {T1}, C: {T1}, D: {T1}},
        stands={C: 900},
        times=((T1, 1),),
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed == {1: (T1, 101), 2: (T1, 900)}


def test_reasons_for_what_stays_unplaced():
    p = problem(
        [
            Item(1, (A, B)),  # no common time
            Item(2, (C, D)),
            Item(3, (E, 6)),  # one table at T1 and it is taken
            Item(4, (7, 8)),
            Item(5, (7, 9)),  # cap of 1: 7 is already meeting 8
        ],
        {A: {T1}, B: {T2}, C: {T1}, D: {T1}, E: {T1}, 6: {T1}, 7: {T2, T3}, 8: {T2, T3}, 9: {T3}},
        cap=1,
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.unplaced[1] == NO_COMMON_TIME
    assert NO_TABLE in {plan.unplaced.get(2), plan.unplaced.get(3)}
    assert OVER_CAP in {plan.unplaced.get(4), plan.unplaced.get(5)}
    assert len(plan.placed) == 2 == plan.bound  # one of 2–3, one of 4–5


def test_a_person_s_meetings_are_packed_without_idle_gaps():
    times = ((T1, 1), (T2, 1), (T3, 1), (40, 2))
    everywhere = {T1, T2, T3, 40}
    p = problem(
        [Item(1, (A, B)), Item(2, (A, C)), Item(3, (A, D))],
        {A: everywhere, B: {T1, T3}, C: everywhere, D: everywhere},
        tables=(101, 102),
        times=times,
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.gaps == 0
    assert len(plan.placed) == 3


@pytest.mark.parametrize("seed", range(6))
def test_on_random_events_the_plan_is_valid_and_never_worse_than_first_come(seed):
    rng = random.Random(seed)  # noqa: S311 (made-up events, the same in every run)
    times = tuple((t, t // 3) for t in range(6))
    people = range(24)
    free = {p: {t for t, _ in times if rng.random() < 0.6} for p in people}
    pairs = {tuple(sorted(rng.sample(people, 2))) for _ in range(45)}
    items = [Item(k, pair) for k, pair in enumerate(sorted(pairs))]
    p = problem(items, free, tables=(1, 2, 3, 4), stands={0: 50, 1: 51}, cap=4, times=times)
    first_come = greedy(p)
    plan = optimise(p, seconds=5)
    assert_valid(p, first_come)
    assert_valid(p, plan)
    assert len(first_come.placed) <= len(plan.placed) <= plan.bound <= upper_bound(p)
    # Re-running on the plan just made moves nothing.
    again = problem(
        [Item(i.key, i.people, *plan.placed.get(i.key, (None, None))) for i in items],
        free,
        tables=(1, 2, 3, 4),
        stands={0: 50, 1: 51},
        cap=4,
        times=times,
    )
    rerun = optimise(again, seconds=5)
    assert len(rerun.placed) == len(plan.placed)
    assert rerun.moved == []


def test_at_the_time_limit_the_plan_is_still_complete():
    rng = random.Random(7)  # noqa: S311 (made-up events, the same in every run)
    times = tuple((t, t // 4) for t in range(12))
    people = range(120)
    free = {p: {t for t, _ in times if rng.random() < 0.5} for p in people}
    pairs = {tuple(sorted(rng.sample(people, 2))) for _ in range(300)}
    p = problem(
        [Item(k, pair) for k, pair in enumerate(sorted(pairs))],
        free,
        tables=tuple(range(20)),
        cap=6,
        times=times,
    )
    plan = optimise(p, seconds=0.2, workers=1)
    assert_valid(p, plan)
    assert len(greedy(p).placed) <= len(plan.placed) <= plan.bound


def test_a_meeting_people_were_told_about_is_never_dropped_for_two_new_ones():
    # Dropping A–B would let A–C and B–D in (2 > 1), but A and B were told they meet.
    p = problem(
        [Item(1, (A, B), T1, 101), Item(2, (A, C)), Item(3, (B, D))],
        {A: {T1}, B: {T1}, C: {T1}, D: {T1}},
        tables=(101, 102),
        times=((T1, 1),),
    )
    plan = optimise(p, seconds=5)
    assert_valid(p, plan)
    assert plan.placed == {1: (T1, 101)}
    assert plan.unplaced == {2: TIMES_TAKEN, 3: TIMES_TAKEN}
