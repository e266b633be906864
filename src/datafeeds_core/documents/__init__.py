"""Bill documents: fetch statement PDFs/CSVs, validate them, store them (folder or S3).

The job's document step: `service.store_documents`; rows: `records.record_documents`; documents
for bills already written: `backfill`.
"""
