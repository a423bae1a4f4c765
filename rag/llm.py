"""The OpenAI-compatible client: construction, retries and error translation."""

from __future__ import annotations

from typing import Any

from rag.errors import RagError
from rag.settings import Settings


def make_client(settings: Settings) -> Any:
    """An ``openai.OpenAI`` client for the configured endpoint (retries with backoff on 429/5xx/timeouts)."""
    import openai

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.openai_base_url:
        raise RagError("The openai backend needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local compatible server.")
    return openai.OpenAI(
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
    )


def translate_error(error: Exception, what: str = "LLM endpoint") -> RagError:
    """One short, actionable message for any failure of the OpenAI-compatible endpoint."""
    import openai

    if isinstance(error, RagError):
        return error
    if isinstance(error, openai.APITimeoutError):
        return RagError(f"The {what} timed out; it may be overloaded. Try again, or raise RAG_OPENAI_TIMEOUT.")
    if isinstance(error, openai.APIConnectionError):
        return RagError(f"Cannot reach the {what}; check OPENAI_BASE_URL and that the server is running.")
    if isinstance(error, openai.RateLimitError):
        return RagError(f"The {what} is rate-limiting requests (429) and retries ran out; try again later.")
    if isinstance(error, openai.AuthenticationError):
        return RagError(f"The {what} rejected the API key (401); check OPENAI_API_KEY.")
    if isinstance(error, openai.NotFoundError):
        return RagError(
            f"The {what} does not know that model or path (404); check RAG_OPENAI_MODEL and OPENAI_BASE_URL."
        )
    if isinstance(error, openai.APIStatusError):
        return RagError(f"The {what} failed with HTTP {error.status_code}; try again later.")
    return RagError(f"The {what} failed: {type(error).__name__}: {error}")
