"""Offline token counting with tiktoken's cl100k_base, from the cache llama-index ships."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any


def _use_bundled_cache() -> None:
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return
    spec = find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
        if cache.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


@lru_cache(maxsize=1)
def encoding() -> Any:
    """The cl100k_base encoding, loaded without network access."""
    _use_bundled_cache()
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count(text: str) -> int:
    """Number of cl100k_base tokens in ``text``."""
    return len(encoding().encode_ordinary(text))


def counts(texts: list[str]) -> list[int]:
    """Token counts for many texts at once (in this thread: tiktoken's thread pool costs more than it saves on
    sentence-sized texts)."""
    encode = encoding().encode_ordinary
    return [len(encode(t)) for t in texts]
