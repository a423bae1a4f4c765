"""Search: hybrid dense + BM25 retrieval, query expansion and follow-up questions."""
