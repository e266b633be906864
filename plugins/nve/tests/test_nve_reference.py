from datafeeds_core.testing import conformance_suite

test_reference_fixtures = conformance_suite("nve-urjanet")
