"""The B2B scheduling engine, on plain data: no ORM in here (meetings/planning.py reads the
database into a `Problem` and writes a `Plan` back).

Three ways to place the accepted meetings of a programme:

- `greedy`: first come, first placed at the earliest common free time with a table left,
  what part 1 does when people accept one by one;
- `optimise`: an exact CP-SAT model, lexicographic objective (most meetings placed, then
  fewest moved from the time people were told, then fewest idle gaps), stopped at a time
  limit with the best complete plan found and the bound the solver proved;
- `upper_bound`: a quick bound no plan can beat, to judge the other two.

Tables are handed out after the solve: a meeting with a stand holder goes to their stand's
table (one stand holder meets one person at a time, so the stand is always free), the others
share the common tables, which only have to be counted per time in the model.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from time import perf_counter

from ortools.sat.python import cp_model

NO_COMMON_TIME = "no_common_time"
NO_TABLE = "no_table"
OVER_CAP = "over_cap"
TIMES_TAKEN = "times_taken"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Item:
    """One accepted meeting: its two people, the time and table they were told (None for a
    meeting never placed) and whether staff locked it there."""

    key: int
    people: tuple[int, int]
    time: int | None = None
    table: int | None = None
    locked: bool = False


@dataclass(frozen=True)
class Problem:
    """`times`: the meeting times in order, each (time key, block key): idle gaps are counted
    within a block. `free`: each person's free times, their own meetings left out.
    `tables`: the shared tables. `stands`: person → their stand's table."""

    times: tuple[tuple[int, int], ...]
    items: tuple[Item, ...]
    free: dict[int, frozenset[int]]
    tables: tuple[int, ...]
    stands: dict[int, int] = field(default_factory=dict)
    cap: int = 8

    def common(self, item):
        a, b = item.people
        return self.free.get(a, frozenset()) & self.free.get(b, frozenset())

    def allowed(self, item):
        """The times the meeting may take: the common free times, and the time people were
        told, which stays theirs."""
        common = self.common(item)
        return common | {item.time} if item.time is not None else common

    def at_stand(self, item):
        return any(p in self.stands for p in item.people)


@dataclass
class Plan:
    """Where each meeting goes: key → (time, table); the others with a reason."""

    placed: dict[int, tuple[int, int]]
    unplaced: dict[int, str]
    bound: int
    optimal: bool = True
    seconds: float = 0.0
    moved: list[int] = field(default_factory=list)
    gaps: int = 0
    # Per stage (placed, moved, gaps): (solver status, seconds).
    stages: list[tuple[str, float]] = field(default_factory=list)

    @property
    def placed_proven(self):
        """Whether the number placed is proven the most possible."""
        return bool(self.stages) and self.stages[0][0] == "OPTIMAL"


def _stand_table(problem, item):
    stands = [problem.stands[p] for p in item.people if p in problem.stands]
    if item.table in stands:
        return item.table
    return min(stands)


def _busy_at(problem):
    """(person, time) and per-time shared-table counts taken by the locked meetings."""
    busy, used = set(), defaultdict(set)
    for item in problem.items:
        if item.locked and item.time is not None:
            busy.update((p, item.time) for p in item.people)
            if not problem.at_stand(item):
                used[item.time].add(item.table)
    return busy, used


def greedy(problem):
    """Part 1's way: meetings already placed stay where they are; the others, first come
    (in key order, the order of acceptance), first placed at the earliest common free time
    with a table left and both people under their cap."""
    busy, used = _busy_at(problem)
    count = defaultdict(int)
    times = {}
    for item in sorted(problem.items, key=lambda i: not i.locked):
        if item.time is None:
            continue
        if not item.locked:
            if any((p, item.time) in busy for p in item.people):
                continue
            busy.update((p, item.time) for p in item.people)
            if not problem.at_stand(item):
                used[item.time].add(item.table)
        times[item.key] = item.time
        for p in item.people:
            count[p] += 1
    order = [t for t, _ in problem.times]
    for item in problem.items:
        if item.key in times or any(count[p] >= problem.cap for p in item.people):
            continue
        common = problem.common(item)
        for time in order:
            if time not in common or any((p, time) in busy for p in item.people):
                continue
            if not problem.at_stand(item) and len(used[time]) >= len(problem.tables):
                continue
            times[item.key] = time
            busy.update((p, time) for p in item.people)
            if not problem.at_stand(item):
                used[time].add(object())
            for p in item.people:
                count[p] += 1
            break
    return _finish(problem, times, bound=upper_bound(problem), optimal=False)


def upper_bound(problem):
    """No plan places more: each meeting needs a common free time, each person meets at most
    `cap` people and once per free time, and shared tables × times hold the rest."""
    possible = [item for item in problem.items if problem.common(item) or item.locked]
    degree = defaultdict(int)
    for item in possible:
        for p in item.people:
            degree[p] += 1
    per_person = {p: min(problem.cap, d, len(problem.free.get(p, ()))) for p, d in degree.items()}
    by_people = sum(per_person.values()) // 2
    shared = [item for item in possible if not problem.at_stand(item)]
    stands = len(possible) - len(shared)
    by_tables = stands + min(len(shared), len(problem.tables) * len(problem.times))
    return min(len(possible), by_people, by_tables)


def optimise(problem, *, seconds=30.0, workers=2, seed=0, progress=None):
    """The exact plan (or, at the time limit, the best complete plan found with the proven
    bound): most placed, then fewest moved (locked meetings never move), then fewest idle
    gaps. The time limit is shared between the three stages, the first getting half;
    `progress(stage)` is called as each of the three stages starts."""
    progress = progress or (lambda stage: None)
    started = perf_counter()
    busy, used = _busy_at(problem)
    order = [t for t, _ in problem.times]
    block = dict(problem.times)
    model = cp_model.CpModel()
    x = {}
    by_person_time = defaultdict(list)
    by_person = defaultdict(list)
    shared_at = defaultdict(list)
    placed_terms = []
    fixed = {}
    for item in problem.items:
        if item.locked and item.time is not None:
            fixed[item.key] = item.time
            continue
        common = problem.allowed(item)
        for time in order:
            if time not in common or any((p, time) in busy for p in item.people):
                continue
            var = model.new_bool_var(f"x{item.key}_{time}")
            x[item.key, time] = var
            for p in item.people:
                by_person_time[p, time].append(var)
                by_person[p].append(var)
            if not problem.at_stand(item):
                shared_at[time].append(var)
            placed_terms.append(var)
    choices = defaultdict(list)
    by_key = {item.key: item for item in problem.items}
    for (key, _time), var in x.items():
        choices[key].append(var)
    for key, vars_ in choices.items():
        if by_key[key].time is not None:
            model.add_exactly_one(vars_)  # a meeting people were told about may move, not go
        else:
            model.add_at_most_one(vars_)
    for vars_ in by_person_time.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    locked_count = defaultdict(int)
    for item in problem.items:
        if item.key in fixed:
            for p in item.people:
                locked_count[p] += 1
    for p, vars_ in by_person.items():
        room = problem.cap - locked_count[p]
        if len(vars_) > room:
            model.add(sum(vars_) <= max(room, 0))
    for time, vars_ in shared_at.items():
        room = len(problem.tables) - len(used[time])
        if len(vars_) > room:
            model.add(sum(vars_) <= max(room, 0))
    # Start from first-come placing, which keeps what people were told: a complete plan,
    # so the solver has a solution at once and never returns a worse one.
    first_come = {key: time for key, (time, _table) in greedy(problem).placed.items()}
    _hint(model, x, first_come)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    optimal = True

    stages = []

    def solve(budget):
        nonlocal optimal
        solver.parameters.max_time_in_seconds = max(budget, 0.1)
        status = solver.solve(model)
        stages.append((solver.status_name(status), solver.wall_time))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        optimal = optimal and status == cp_model.OPTIMAL
        return status

    # Stage 1: most placed.
    progress(1)
    placed = sum(placed_terms)
    model.maximize(placed)
    if solve(seconds / 2) is None:
        # Not even one plan in time: first-come placing (complete by construction).
        return _finish(
            problem, first_come, bound=upper_bound(problem), optimal=False, started=started
        )
    best = round(solver.objective_value)
    bound = min(int(solver.best_objective_bound + 1e-6), upper_bound(problem) - len(fixed))
    current = _read(problem, x, solver, fixed)
    if best < len(first_come) - len(fixed):
        current, best = first_come, len(first_come) - len(fixed)
    model.add(placed >= best)
    # Stage 2: fewest moved from the announced time.
    progress(2)
    moved = [
        1 - x[item.key, item.time] if (item.key, item.time) in x else 1
        for item in problem.items
        if item.key not in fixed and item.time is not None
    ]
    _hint(model, x, current)
    model.minimize(sum(moved))
    remaining = seconds - (perf_counter() - started)
    if moved and solve(remaining * 0.6):
        current = _read(problem, x, solver, fixed)
        model.add(sum(moved) <= round(solver.objective_value))
    elif moved:
        model.add(sum(moved) <= _count_moved(problem, current))
    progress(3)
    # Stage 3: fewest runs of meetings per person and block (so fewest idle gaps).
    starts = []
    degree = defaultdict(int)
    for item in problem.items:
        for p in item.people:
            degree[p] += 1
    for p in sorted(p for p in by_person if degree[p] > 1):
        previous, previous_block = 0, None
        for time in order:
            here = sum(by_person_time.get((p, time), [])) + int((p, time) in busy)
            if block[time] != previous_block:
                previous = 0
            start = model.new_bool_var(f"s{p}_{time}")
            model.add(start >= here - previous)
            starts.append(start)
            previous, previous_block = here, block[time]
    if starts:
        _hint(model, x, current)
        model.minimize(sum(starts))
        remaining = seconds - (perf_counter() - started)
        if solve(remaining):
            current = _read(problem, x, solver, fixed)
    plan = _finish(problem, current, bound=bound + len(fixed), optimal=optimal, started=started)
    plan.stages = stages
    return plan


def _hint(model, x, times):
    model.clear_hints()
    for (key, time), var in x.items():
        model.add_hint(var, int(times.get(key) == time))


def _read(problem, x, solver, fixed):
    times = dict(fixed)
    for (key, time), var in x.items():
        if solver.boolean_value(var):
            times[key] = time
    return times


def _count_moved(problem, times):
    return sum(
        1
        for item in problem.items
        if not item.locked and item.time is not None and times.get(item.key) != item.time
    )


def _finish(problem, times, *, bound, optimal, started=None):
    """Tables for the chosen times, what moved, why the rest stays unplaced."""
    placed = {}
    taken = defaultdict(set)
    for item in problem.items:
        time = times.get(item.key)
        if time is not None and problem.at_stand(item):
            placed[item.key] = (time, _stand_table(problem, item))
    # Shared tables: locked first, then those keeping their table, then the lowest free.
    waiting = []
    for keep in (True, False):
        for item in sorted(problem.items, key=lambda i: (not i.locked, i.key)):
            time = times.get(item.key)
            if time is None or item.key in placed:
                continue
            if keep and time == item.time and _keeps(problem, item, taken[time]):
                placed[item.key] = (time, item.table)
                taken[time].add(item.table)
            elif not keep:
                waiting.append((item, time))
    for item, time in waiting:
        table = next(t for t in problem.tables if t not in taken[time])
        placed[item.key] = (time, table)
        taken[time].add(table)
    moved = [
        item.key
        for item in problem.items
        if item.time is not None and placed.get(item.key) != (item.time, item.table)
    ]
    return Plan(
        placed=placed,
        unplaced=reasons(problem, placed),
        bound=bound,
        optimal=optimal,
        seconds=perf_counter() - started if started else 0.0,
        moved=moved,
        gaps=idle_gaps(problem, placed),
    )


def _keeps(problem, item, taken):
    return item.table in problem.tables and item.table not in taken


def reasons(problem, placed):
    """Why each meeting left out is not placed, in the plan's light."""
    count = defaultdict(int)
    busy = set()
    used = defaultdict(int)
    by_key = {item.key: item for item in problem.items}
    for key, (time, _table) in placed.items():
        item = by_key[key]
        for p in item.people:
            count[p] += 1
            busy.add((p, time))
        if not problem.at_stand(item):
            used[time] += 1
    found = {}
    for item in problem.items:
        if item.key in placed:
            continue
        common = problem.common(item)
        if not common:
            found[item.key] = NO_COMMON_TIME
        elif any(count[p] >= problem.cap for p in item.people):
            found[item.key] = OVER_CAP
        elif all(any((p, t) in busy for p in item.people) for t in common):
            found[item.key] = TIMES_TAKEN
        elif not problem.at_stand(item) and all(
            used[t] >= len(problem.tables)
            for t in common
            if not any((p, t) in busy for p in item.people)
        ):
            found[item.key] = NO_TABLE
        else:
            found[item.key] = NOT_FOUND
    return found


def idle_gaps(problem, placed):
    """Free times between two of a person's meetings within a block."""
    by_person = defaultdict(set)
    by_key = {item.key: item for item in problem.items}
    for key, (time, _table) in placed.items():
        for p in by_key[key].people:
            by_person[p].add(time)
    blocks = defaultdict(list)
    for time, block in problem.times:
        blocks[block].append(time)
    gaps = 0
    for times in by_person.values():
        for order in blocks.values():
            marks = [i for i, t in enumerate(order) if t in times]
            if marks:
                gaps += marks[-1] - marks[0] + 1 - len(marks)
    return gaps
