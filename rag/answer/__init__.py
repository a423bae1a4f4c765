"""Answering: question analysis, the extractive and LLM answerers behind one interface, citation checks."""
