"""The « next meetings » screen at the Espace des Partenaires: the meeting time under way and
the next one, each table with its two people (what the table plan at the entrance shows:
names, organisations, table numbers; nothing else). Read in 2 queries."""

from dataclasses import dataclass, field
from datetime import datetime

from .models import Meeting, MeetingTime

# The screen reloads itself this often (a meta refresh: no script), showing its next page
# when the tables do not fit on one; a time starts or ends at most this late on it.
REFRESH_SECONDS = 15
# Tables one screen shows in large type (two columns on a 1920 × 1080 display); a section
# without a meeting takes the place of one.
TABLES_PER_PAGE = 14


@dataclass(frozen=True)
class Seat:
    name: str
    organisation: str


@dataclass(frozen=True)
class TableRow:
    number: int
    first: Seat
    second: Seat


@dataclass
class Board:
    state: str  # "before" (none begun yet), "on" (a time under way), "between", "after"
    current: MeetingTime | None = None
    upcoming: MeetingTime | None = None
    current_tables: list = field(default_factory=list)
    upcoming_tables: list = field(default_factory=list)
    changes_at: datetime | None = None  # when the board next changes (None: never)


@dataclass(frozen=True)
class Part:
    """One section of a screen page: a time ("now" or "next") and some of its tables."""

    kind: str
    time: MeetingTime
    tables: list


def pages(board, per_page=None):
    """The board cut into screen pages of at most `per_page` tables, in order: the time
    under way, then the next one (both on one page when they fit). [[Part]]."""
    per_page = per_page or TABLES_PER_PAGE
    sections = [("now", board.current, board.current_tables)]
    sections.append(("next", board.upcoming, board.upcoming_tables))
    result, page, room = [], [], per_page
    for kind, time, tables in sections:
        if time is None:
            continue
        rest = list(tables) or [None]  # « no meeting at this time » takes one place
        while rest:
            if room == 0:
                result.append(page)
                page, room = [], per_page
            taken, rest = rest[:room], rest[room:]
            page.append(Part(kind, time, [row for row in taken if row is not None]))
            room -= len(taken)
    if page:
        result.append(page)
    return result


@dataclass(frozen=True)
class ScreenPage:
    parts: list  # [Part]
    number: int
    count: int

    @property
    def next_number(self):
        """The page the screen shows on its next reload (None: the same, the only one)."""
        return self.number % self.count + 1 if self.count > 1 else None


def screen_page(board, asked):
    """The page `asked` for (?page=, a string; anything else: the first) of `board`."""
    every = pages(board)
    number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 4 else 1
    number = number if 1 <= number <= len(every) else 1
    return ScreenPage(every[number - 1] if every else [], number, len(every))


# Only the columns the screen shows: the screen reloads all day, and whole rows (a
# registration has some thirty columns) cost it ten times more CPU.
COLUMNS = (
    "time_id",
    "table__number",
    "request__sender__first_name",
    "request__sender__last_name",
    "request__sender__organisation",
    "request__recipient__first_name",
    "request__recipient__last_name",
    "request__recipient__organisation",
)


def _name(first, last):
    return " ".join(part for part in (first, last) if part)  # Registration.full_name


def _rows(values):
    return [
        TableRow(number, Seat(_name(f1, l1), o1), Seat(_name(f2, l2), o2))
        for _time, number, f1, l1, o1, f2, l2, o2 in sorted(values, key=lambda row: row[1])
    ]


def board(programme, now):
    """What the screen shows at `now`: the time under way (start ≤ now < end) and the next
    time to start after now (during a changeover, only that one)."""
    times = list(MeetingTime.objects.filter(programme=programme).order_by("starts_at"))
    current = next((t for t in times if t.starts_at <= now < t.ends_at), None)
    upcoming = next((t for t in times if t.starts_at > now), None)
    if current is None and upcoming is None:
        return Board("after")
    state = "on" if current else ("before" if upcoming is times[0] else "between")
    shown = [t.pk for t in (current, upcoming) if t is not None]
    by_time = {pk: [] for pk in shown}
    for row in Meeting.objects.filter(
        time_id__in=shown, status=Meeting.Status.SCHEDULED
    ).values_list(*COLUMNS):
        by_time[row[0]].append(row)
    moments = [t.ends_at for t in (current,) if t] + [t.starts_at for t in (upcoming,) if t]
    return Board(
        state,
        current=current,
        upcoming=upcoming,
        current_tables=_rows(by_time[current.pk]) if current else [],
        upcoming_tables=_rows(by_time[upcoming.pk]) if upcoming else [],
        changes_at=min(moments),
    )
