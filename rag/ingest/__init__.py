"""Ingest: read and clean files, date documents, split sentences into chunks, and write them in waves."""
