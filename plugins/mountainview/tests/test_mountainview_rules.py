"""City of Mountain View, CA transform: the generic water rules."""

from __future__ import annotations

from datafeeds_mountainview import TRANSFORMER

from datafeeds_core.testing import generic_water_suite

TestGenericWater = generic_water_suite(TRANSFORMER)
