"""Ingest a folder of documents: ``python ingest.py [DOCS_DIR] [--index DIR]``."""

import argparse
import sys

from rag.cli import add_ingest_arguments, run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Incrementally ingest a folder of documents into the index.")
    add_ingest_arguments(parser)
    sys.exit(run(parser.parse_args()))
