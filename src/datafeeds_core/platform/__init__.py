"""The platform database: tables, data-source lookup, provisioning, bill writer, run records."""
