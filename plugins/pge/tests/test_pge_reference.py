from datafeeds_core.testing import conformance_suite

test_pge_reference_fixtures = conformance_suite("pge-urjanet-v2")
test_generation_reference_fixtures = conformance_suite("pge-urjanet-generation")
