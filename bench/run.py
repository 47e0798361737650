"""`make bench`: every measurement in one table, each as a share of the ceiling measured
around it in the same run, with its goal; exit status 1 when a goal is missed.

Runs bench/pages.py (public pages, the programme on a cache miss), bench/personal.py (the
attendee's pages), then bench/registration_burst.py, bench/badges.py and bench/desk.py (4
check-in desks scanning at once) when they offer rows() (a line says which did not).
"""

import importlib.util
import sys
from pathlib import Path

from measure import note
from table import print_table

HERE = Path(__file__).resolve().parent
PARTS = ("pages", "personal", "meetings", "b2b_schedule", "registration_burst", "badges", "desk")


def load(name):
    """bench/<name>.py by its path: a part named like an app of the project (meetings) must
    not be shadowed by it once a part has put the project's root on sys.path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    part = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(part)
    return part


def main():
    rows, skipped = [], []
    for name in PARTS:
        part = load(name)
        if not hasattr(part, "rows"):
            skipped.append(f"bench/{name}.py")
            continue
        print(f"bench/{name}.py…", flush=True)
        rows += part.rows()
    status = print_table(rows, ceiling_note=note())
    if skipped:
        print(f"\nNot run (no rows() yet): {', '.join(skipped)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
