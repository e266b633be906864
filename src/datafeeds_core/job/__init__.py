"""One job: a data source's Urjanet rows through its plugin to validated periods and a summary."""
