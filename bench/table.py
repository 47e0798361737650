"""One table for `make bench`: every measurement with its share of the ceiling measured
around it in the same run, its goal, and whether it was met."""

from dataclasses import dataclass


@dataclass
class Row:
    name: str  # what was measured, e.g. "sign-up burst (16 clients, PostgreSQL)"
    figure: str  # the measurement in its own unit, e.g. "131/s, p95 180 ms, 0 errors"
    share: float | None  # of the ceiling measured around it (0.063 = 6.3 %); None: no ratio
    goal: str  # e.g. "≥ 5 % of the ceiling, p95 ≤ 250 ms, 0 errors"
    ok: bool


def print_table(rows, *, ceiling_note=""):
    """Print the rows as a Markdown table; returns the process exit code (1 on a miss)."""
    header = ("measurement", "figure", "share of ceiling", "goal", "met")
    lines = [
        (
            row.name,
            row.figure,
            "—" if row.share is None else f"{row.share:.1%}",
            row.goal,
            "yes" if row.ok else "NO",
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    print()
    if ceiling_note:
        print(ceiling_note + "\n")
    for line in (header, tuple("-" * w for w in widths), *lines):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    missed = [row.name for row in rows if not row.ok]
    if missed:
        print("\nGoals missed: " + ", ".join(missed))
    return 1 if missed else 0
