"""Bill documents: fetch statement PDFs/CSVs under the host policy (`fetch`, `policy`), check
them (`validate`, `pdf`), key them as the old system did (`keys`) and store them in a folder or
S3 (`store`). The job's document step is `service.store_documents`; the `bill_document` rows it
records are written by `platform/bill_documents.py`, and the backfill of bills already written
is the documents service (`services/documents.py`).
"""
