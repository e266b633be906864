"""Half-open date intervals [begin, end) and the boundary normalisers (urjanet-rules.md)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Interval(Generic[T]):
    begin: date
    end: date
    data: T

    def overlaps(self, begin: date, end: date) -> bool:
        return self.begin < end and begin < self.end

    def contains(self, day: date) -> bool:
        return self.begin <= day < self.end


class ZeroLengthInterval(ValueError):
    pass


class IntervalSet(Generic[T]):
    """A small interval collection (a statement history holds tens to hundreds of entries)."""

    def __init__(self, items: Iterable[Interval[T]] = ()) -> None:
        self._items: list[Interval[T]] = []
        for item in items:
            self.add(item.begin, item.end, item.data)

    def add(self, begin: date, end: date, data: T) -> Interval[T]:
        if begin >= end:
            raise ZeroLengthInterval(f"empty interval [{begin}, {end})")
        item = Interval(begin, end, data)
        self._items.append(item)
        return item

    def remove(self, item: Interval[T]) -> None:
        self._items.remove(item)

    def overlaps(self, begin: date, end: date, strict: bool = True) -> bool:
        """Does any interval intersect [begin, end) (or [begin, end + 1 day) when not strict)?"""
        if not strict:
            end = end + DAY
        return any(i.overlaps(begin, end) for i in self._items)

    def range_query(self, begin: date, end: date) -> list[Interval[T]]:
        """Intervals with begin < end and end > begin, in ascending order (deterministic)."""
        return sorted((i for i in self._items if i.overlaps(begin, end)), key=_order)

    def point_query(self, day: date) -> list[Interval[T]]:
        return sorted((i for i in self._items if i.contains(day)), key=_order)

    def sorted(self) -> list[Interval[T]]:
        return sorted(self._items, key=_order)

    def __iter__(self) -> Iterator[Interval[T]]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)


def _order(i: Interval[T]) -> tuple[date, date]:
    return (i.begin, i.end)


class IntervalIndex(Generic[T]):
    """A fixed collection of intervals with logarithmic lookups, for placing many charges and
    usages into a settled history (an IntervalSet scans every interval on each query)."""

    def __init__(self, items: Iterable[Interval[T]]) -> None:
        self._items = sorted(items, key=_order)
        self._begins = [i.begin for i in self._items]
        # _reach[k]: the latest end among the first k + 1 intervals; a backward scan stops once
        # no earlier interval can still reach the query.
        self._reach: list[date] = []
        for item in self._items:
            self._reach.append(max(item.end, self._reach[-1]) if self._reach else item.end)

    def range_query(self, begin: date, end: date) -> list[Interval[T]]:
        """Intervals with begin < end and end > begin, in ascending order."""
        out = []
        k = bisect_left(self._begins, end) - 1
        while k >= 0 and self._reach[k] > begin:
            if self._items[k].end > begin:
                out.append(self._items[k])
            k -= 1
        out.reverse()
        return out

    def point_query(self, day: date) -> list[Interval[T]]:
        """Intervals with begin <= day < end, in ascending order."""
        out = []
        k = bisect_right(self._begins, day) - 1
        while k >= 0 and self._reach[k] > day:
            if self._items[k].end > day:
                out.append(self._items[k])
            k -= 1
        out.reverse()
        return out

    def __iter__(self) -> Iterator[Interval[T]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def merge_overlaps(items: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of strictly overlapping ranges; touching ranges stay separate."""
    out: list[list[date]] = []
    for begin, end in sorted(items):
        if out and begin < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([begin, end])
    return [(b, e) for b, e in out]


def shift_endpoints(items: Iterable[Interval[T]]) -> list[Interval[T]]:
    """Ascending: an interval whose end equals the next one's begin ends a day earlier."""
    ordered = sorted(items, key=_order)
    out = []
    for i, item in enumerate(ordered):
        if i + 1 < len(ordered) and item.end == ordered[i + 1].begin:
            item = replace(item, end=item.end - DAY)
        out.append(item)
    return out


def shift_endpoints_start(items: Iterable[Interval[T]]) -> list[Interval[T]]:
    """An interval whose begin equals the previous (earlier) one's end begins a day later."""
    ordered = sorted(items, key=_order)
    out = []
    for i, item in enumerate(ordered):
        if i > 0 and item.begin == ordered[i - 1].end:
            item = replace(item, begin=item.begin + DAY)
        out.append(item)
    return out


def shift_endpoints_end(items: Iterable[Interval[T]]) -> list[Interval[T]]:
    """Descending: while an end reaches the later interval's begin, move it back a day.

    If that empties the interval, its begin moves back a day too.
    """
    ordered = sorted(items, key=_order)
    out: list[Interval[T]] = []
    later: Interval[T] | None = None
    for item in reversed(ordered):
        if later is not None:
            begin, end = item.begin, item.end
            while end >= later.begin:
                end -= DAY
                if begin == end:
                    begin -= DAY
            item = replace(item, begin=begin, end=end)
        out.append(item)
        later = item
    return list(reversed(out))
