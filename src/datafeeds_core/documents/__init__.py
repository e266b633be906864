"""Bill documents: fetch statement PDFs/CSVs, validate them, store them (folder or S3).

Entry point: `service.collect_documents`; rows: `records.record_documents`.
"""
