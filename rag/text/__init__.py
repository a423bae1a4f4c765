"""Language tools every stage shares: tokens for BM25, dates, sentences, token counts, scripts, entities."""
