"""The index: embedders, the chunk database (records, BM25, per-file rows) and the Chroma store."""
