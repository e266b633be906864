"""EBMUD transform: period end − 1 day, then the generic
water rules."""

from __future__ import annotations

from datafeeds_ebmud import TRANSFORMER

from datafeeds_core.testing import end_minus_one_day_water_suite

TestEndMinusOneDayWater = end_minus_one_day_water_suite(TRANSFORMER)
