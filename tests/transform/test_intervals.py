"""Half-open interval semantics and the boundary normalisers."""

from __future__ import annotations

from datetime import date

import pytest

from datafeeds_core.urjanet.intervals import (
    Interval,
    IntervalSet,
    ZeroLengthInterval,
    merge_overlaps,
    shift_endpoints,
    shift_endpoints_end,
    shift_endpoints_start,
)

D = date


def test_intervals_are_half_open() -> None:
    s: IntervalSet[str] = IntervalSet()
    s.add(D(2020, 1, 1), D(2020, 2, 1), "jan")
    assert not s.overlaps(D(2020, 2, 1), D(2020, 3, 1))
    assert s.overlaps(D(2020, 1, 31), D(2020, 3, 1))
    assert s.overlaps(D(2020, 2, 1), D(2020, 3, 1), strict=False) is False
    assert s.overlaps(D(2019, 12, 1), D(2020, 1, 1), strict=False) is True
    assert [i.data for i in s.point_query(D(2020, 1, 31))] == ["jan"]
    assert s.point_query(D(2020, 2, 1)) == []


def test_null_interval_is_refused() -> None:
    with pytest.raises(ZeroLengthInterval):
        IntervalSet[None]().add(D(2020, 1, 1), D(2020, 1, 1), None)


def test_range_query_is_sorted_and_deterministic() -> None:
    s: IntervalSet[int] = IntervalSet()
    for i, (b, e) in enumerate([(5, 9), (1, 3), (2, 6)]):
        s.add(D(2020, 1, b), D(2020, 1, e), i)
    assert [i.data for i in s.range_query(D(2020, 1, 2), D(2020, 1, 8))] == [1, 2, 0]


def test_merge_overlaps_keeps_touching_ranges_apart() -> None:
    ranges = [
        (D(2020, 1, 1), D(2020, 1, 10)),
        (D(2020, 1, 5), D(2020, 1, 12)),
        (D(2020, 1, 12), D(2020, 1, 20)),
    ]
    assert merge_overlaps(ranges) == [
        (D(2020, 1, 1), D(2020, 1, 12)),
        (D(2020, 1, 12), D(2020, 1, 20)),
    ]


def _set(*spans: tuple[D, D]) -> list[Interval[int]]:
    s: IntervalSet[int] = IntervalSet()
    for n, (b, e) in enumerate(spans):
        s.add(b, e, n)
    return s.sorted()


def test_shift_endpoints_moves_touching_ends_back() -> None:
    out = shift_endpoints(_set((D(2020, 1, 1), D(2020, 2, 1)), (D(2020, 2, 1), D(2020, 3, 1))))
    assert [(i.begin, i.end) for i in out] == [
        (D(2020, 1, 1), D(2020, 1, 31)),
        (D(2020, 2, 1), D(2020, 3, 1)),
    ]


def test_shift_endpoints_start_moves_touching_begins_forward() -> None:
    out = shift_endpoints_start(
        _set((D(2020, 1, 1), D(2020, 2, 1)), (D(2020, 2, 1), D(2020, 3, 1)))
    )
    assert [(i.begin, i.end) for i in out] == [
        (D(2020, 1, 1), D(2020, 2, 1)),
        (D(2020, 2, 2), D(2020, 3, 1)),
    ]


def test_shift_endpoints_end_pulls_overlapping_ends_before_the_next_begin() -> None:
    out = shift_endpoints_end(_set((D(2020, 1, 1), D(2020, 2, 3)), (D(2020, 2, 1), D(2020, 3, 1))))
    assert [(i.begin, i.end) for i in out] == [
        (D(2020, 1, 1), D(2020, 1, 31)),
        (D(2020, 2, 1), D(2020, 3, 1)),
    ]
