"""IntervalIndex: the same answers as IntervalSet's scans, found by bisection."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from datafeeds_core.urjanet.intervals import Interval, IntervalIndex, IntervalSet

BASE = date(2020, 1, 1)
days = st.integers(min_value=0, max_value=120)
spans = st.tuples(days, st.integers(min_value=1, max_value=45))


def built(raw: list[tuple[int, int]]) -> list[Interval[int]]:
    return [
        Interval(BASE + timedelta(days=b), BASE + timedelta(days=b + n), i)
        for i, (b, n) in enumerate(raw)
    ]


@given(st.lists(spans, max_size=20), days, st.integers(min_value=0, max_value=40))
def test_range_query_matches_a_full_scan(
    raw: list[tuple[int, int]], begin: int, length: int
) -> None:
    items = built(raw)
    b, e = BASE + timedelta(days=begin), BASE + timedelta(days=begin + length)
    assert IntervalIndex(items).range_query(b, e) == IntervalSet(items).range_query(b, e)


@given(st.lists(spans, max_size=20), days)
def test_point_query_matches_a_full_scan(raw: list[tuple[int, int]], day: int) -> None:
    items = built(raw)
    d = BASE + timedelta(days=day)
    assert IntervalIndex(items).point_query(d) == IntervalSet(items).point_query(d)


def test_iterates_in_ascending_order_and_counts() -> None:
    items = built([(30, 5), (0, 10), (10, 3)])
    index = IntervalIndex(items)
    assert [i.data for i in index] == [1, 2, 0]
    assert len(index) == 3
    assert IntervalIndex([]).range_query(BASE, BASE + timedelta(days=1)) == []
