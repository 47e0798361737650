"""Pure builders of the dashboard's SVG charts: numbers in, shapes out.

The templates draw the shapes (templates/staff/charts/); no JavaScript and no style
attribute (the CSP forbids them), only SVG geometry and classes.
"""

import math
from dataclasses import dataclass

WIDTH = 640  # viewBox units; the SVG scales to its container
LABEL_WIDTH = 220
ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    text: str  # the figure printed at the end of the bar

    @property
    def text_x(self):
        return round(LABEL_WIDTH + self.width + 6, 1)


@dataclass(frozen=True)
class HorizontalBars:
    bars: tuple
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def horizontal_bars(items, *, maximum=None, suffix=""):
    """items: (label, value) or (label, value, text). One row each, longest = full width."""
    items = [item if len(item) == 3 else (*item, f"{item[1]}{suffix}") for item in items]
    top = maximum or max((value for _label, value, _text in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    bars = tuple(
        Bar(label, value, i * ROW, round(room * min(value, top) / top, 1), text)
        for i, (label, value, text) in enumerate(items)
    )
    return HorizontalBars(bars, max(len(bars), 1) * ROW)


def value_ticks(largest, *, at_most=5):
    """The labels of a count axis: 0, then equal whole steps of 1, 2 or 5 × 10ⁿ, up to the
    first label at or above `largest`, at most `at_most` steps.

    Counts are whole numbers: 3 gives 0 1 2 3 (where quarters of 3 rounded gave
    « 0 1 2 2 3 »), 7 gives 0 2 4 6 8, 1,234 gives 0 500 1000 1500."""
    largest = max(math.ceil(largest), 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if math.ceil(largest / (step * factor)) <= at_most:
                step *= factor
                return tuple(range(0, step * math.ceil(largest / step) + 1, step))
        step *= 10


@dataclass(frozen=True)
class Line:
    points: str  # "x,y x,y …" for <polyline>
    area: str  # the same, closed along the axis, for <polygon>
    height: int
    width: int
    ticks: tuple  # (x, label) along the time axis
    grid: tuple  # (y, label) along the value axis
    last: tuple  # (x, y, value) of the last point


def cumulative_line(days, *, height=220, ticks=6):
    """days: [(date, count on that day)], in order → the running total as a line."""
    width, left, bottom, top_pad = WIDTH, 44, 24, 12
    total, running = 0, []
    for day, count in days:
        total += count
        running.append((day, total))
    values = value_ticks(total)
    top = values[-1]
    span = max(len(running) - 1, 1)

    def x(i):
        return round(left + (width - left - 10) * i / span, 1)

    def y(value):
        return round(height - bottom - (height - bottom - top_pad) * value / top, 1)

    points = " ".join(f"{x(i)},{y(v)}" for i, (_d, v) in enumerate(running))
    area = f"{x(0)},{y(0)} {points} {x(len(running) - 1)},{y(0)}" if running else ""
    step = max(len(running) // ticks, 1)
    tick_marks = tuple(
        (x(i), running[i][0].strftime("%d/%m")) for i in range(0, len(running), step)
    )
    grid = tuple((y(value), value) for value in values)
    last = (x(len(running) - 1), y(total), total) if running else (0, 0, 0)
    return Line(points, area, height, width, tick_marks, grid, last)


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    height: float
    centre: float


@dataclass(frozen=True)
class Columns:
    columns: tuple
    column_width: float
    height: int
    width: int = WIDTH


def columns(items, *, height=180):
    """items: (label, value) → vertical bars (e.g. arrivals per hour)."""
    bottom, top_pad = 22, 16
    top = max((value for _label, value in items), default=0) or 1
    slot = WIDTH / max(len(items), 1)
    usable = height - bottom - top_pad
    cols = tuple(
        Column(
            label,
            value,
            round(i * slot + slot * 0.15, 1),
            round(height - bottom - usable * value / top, 1),
            round(usable * value / top, 1),
            round(i * slot + slot / 2, 1),
        )
        for i, (label, value) in enumerate(items)
    )
    return Columns(cols, round(slot * 0.7, 1), height)
