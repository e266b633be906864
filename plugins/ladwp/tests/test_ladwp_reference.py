from datafeeds_core.testing import conformance_suite

test_electric_reference_fixtures = conformance_suite("ladwp-urjanet-v2")
test_water_reference_fixtures = conformance_suite("ladwp-water-urjanet")
