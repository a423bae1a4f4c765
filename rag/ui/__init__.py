"""The web UI (Gradio). ``python app.py`` starts it; :func:`rag.ui.app.main` is the entry point."""

import os
from typing import Any

# No network at import or start: no Gradio analytics or version check, no Hugging Face Hub, no ONNX Runtime
# telemetry (its Linux wheels post to mobile.events.data.microsoft.com unless ORT_DISABLE_TELEMETRY is set).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def __getattr__(name: str) -> Any:  # lazy: rag.ui.render needs no gradio
    if name == "main":
        from rag.ui.app import main

        return main
    raise AttributeError(name)
