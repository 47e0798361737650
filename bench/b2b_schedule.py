"""`make bench`, B2B scheduling: first-come placing (part 1) vs the CP-SAT optimiser vs an
upper bound, on generated events (bench/b2b_generator.py), with the solve time and the
meetings moved when re-run after 50 new acceptances. Pure data: no database, no server."""

from time import perf_counter

from b2b_generator import event, with_new_acceptances
from table import Row, print_table

from meetings.optimiser import greedy, optimise, upper_bound

LIMIT = 30.0  # seconds: the target for the realistic event


def _placing(name, **sizes):
    problem, weight, chance = event(**sizes)
    first_come = greedy(problem)
    started = perf_counter()
    plan = optimise(problem, seconds=LIMIT)
    seconds = perf_counter() - started
    bound = min(plan.bound, upper_bound(problem))
    placed = len(plan.placed)
    gap = bound - placed
    reasons = {}
    for reason in plan.unplaced.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    figure = (
        f"{len(problem.items)} accepted: first-come {len(first_come.placed)}, optimiser "
        f"{placed}, bound {bound} ({'optimal' if gap == 0 else f'gap {gap}'}); "
        f"most placed {'proven' if plan.placed_proven else 'not proven'} in "
        f"{plan.stages[0][1]:.1f} s, {seconds:.1f} s in all; "
        f"idle gaps {plan.gaps} (first-come {first_come.gaps}); unplaced: "
        + (", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "none")
    )
    row = Row(
        name=name,
        figure=figure,
        share=None,
        goal="≥ first-come, gap to the bound stated, ≤ 30 s",
        ok=placed >= len(first_come.placed) and seconds <= LIMIT + 5,
    )
    return row, problem, plan, weight, chance


def _proven(status):
    """A stage's solver status as the table says it: its optimum proven, or the best found
    within the time limit."""
    return {"OPTIMAL": "proven", "FEASIBLE": "best found"}.get(status, status.lower())


def _rerun(problem, plan, weight, chance):
    again = with_new_acceptances(problem, plan, weight, chance, count=50)
    started = perf_counter()
    second = optimise(again, seconds=LIMIT)
    seconds = perf_counter() - started
    new = [i.key for i in again.items if i.key >= len(problem.items)]
    new_placed = sum(1 for key in new if key in second.placed)
    before = sum(1 for i in again.items if i.time is not None)
    kept = sum(1 for i in again.items if i.time is not None and i.key in second.placed)
    return Row(
        name="B2B re-run after 50 new acceptances (realistic event)",
        figure=(
            f"{new_placed}/{len(new)} new placed, {len(second.moved)} of {before} announced "
            f"moved, {before - kept} dropped; placed {len(plan.placed)} → {len(second.placed)}; "
            f"{seconds:.1f} s; stages (placed, moved, gaps): "
            + ", ".join(_proven(status) for status, _seconds in second.stages)
        ),
        share=None,
        goal="none dropped; moves only for the new ones (≤ new placed)",
        ok=kept == before and len(second.moved) <= new_placed,
    )


def rows():
    realistic, problem, plan, weight, chance = _placing(
        "B2B schedule, realistic (300 people, 45 tables, 11 times)",
        people=300,
        accepted=450,
        tables=45,
    )
    harder, *_ = _placing(
        "B2B schedule, harder (400 people, 60 tables, 11 times)",
        people=400,
        accepted=800,
        tables=60,
        stands=15,
    )
    return [realistic, harder, _rerun(problem, plan, weight, chance)]


if __name__ == "__main__":
    raise SystemExit(print_table(rows()))
