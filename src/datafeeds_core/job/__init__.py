"""One job: the request every executor carries (`request`), and the pipeline that takes a data
source's Urjanet rows through its plugin (`transform`) to validated periods (`validation`), bills
and a summary (`summary`), in its run record (`pipeline`)."""
