"""City of Bellevue, WA transform: period end − 1 day (SPEC §4.3), then the generic
water rules (SPEC §4.2)."""

from __future__ import annotations

from datafeeds_city_of_bellevue import TRANSFORMER

from datafeeds_core.testing import end_minus_one_day_water_suite

TestEndMinusOneDayWater = end_minus_one_day_water_suite(TRANSFORMER)
