"""`make bench`: every measurement in one table, each as a share of the ceiling measured
around it in the same run, with its goal; exit status 1 when a goal is missed.

Runs bench/pages.py (public pages, the programme on a cache miss), bench/personal.py (the
attendee's pages), then bench/registration_burst.py, bench/badges.py and bench/desk.py (4
check-in desks scanning at once) when they offer rows() (a line says which did not).
"""

import importlib
import sys

from measure import note
from table import print_table

PARTS = ("pages", "personal", "meetings", "b2b_schedule", "registration_burst", "badges", "desk")


def main():
    rows, skipped = [], []
    for name in PARTS:
        part = importlib.import_module(name)
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
