"""Start the web UI: ``python app.py`` (binds to RAG_HOST:RAG_PORT, 127.0.0.1:7860 by default).

Settings come from RAG_* environment variables (and .env): RAG_INDEX_DIR, RAG_DOCS_DIR, RAG_HOST, RAG_PORT,
RAG_AUTH ("user:password"), RAG_MAX_UPLOAD_MB, RAG_OPENAI_MODELS (the models users may pick). When there is no
index yet, it is built from RAG_DOCS_DIR. A RAG_HOST other than loopback needs RAG_AUTH (or RAG_ALLOW_PUBLIC=1):
without either, it exits with a one-line error (status 2).
"""

import os
import sys

# No network at import or start: no Gradio analytics or version check, no Hugging Face Hub, no ONNX Runtime
# telemetry (its Linux wheels post to mobile.events.data.microsoft.com unless ORT_DISABLE_TELEMETRY is set).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag.errors import RagError


def run() -> int:
    """Serve the UI until interrupted."""
    from rag.ui.app import main

    try:
        return main(sys.argv[1:])
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
