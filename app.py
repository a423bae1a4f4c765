"""Start the web UI: ``python app.py`` (binds to RAG_HOST:RAG_PORT, 127.0.0.1:7860 by default)."""

import sys

from rag.errors import RagError

if __name__ == "__main__":
    try:
        from rag.ui import main
    except ImportError:  # the UI lands in a later change; until then, the CLI
        from rag.cli import main as cli_main

        sys.exit(cli_main(["ask", *sys.argv[1:]]))
    try:
        sys.exit(main())
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
