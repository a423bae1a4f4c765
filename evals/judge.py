"""An optional LLM judge over an OpenAI-compatible endpoint: correctness 1-5 and citation support."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag import Citation

# The prompts of LlamaIndex's CorrectnessEvaluator (llama_index.core.evaluation.correctness), same wording.
CORRECTNESS_SYSTEM = """
You are an expert evaluation system for a question answering chatbot.

You are given the following information:
- a user query, and
- a generated answer

You may also be given a reference answer to use for reference in your evaluation.

Your job is to judge the relevance and correctness of the generated answer.
Output a single score that represents a holistic evaluation.
You must return your response in a line with only the score.
Do not return answers in any other format.
On a separate line provide your reasoning for the score as well.

Follow these guidelines for scoring:
- Your score has to be between 1 and 5, where 1 is the worst and 5 is the best.
- If the generated answer is not relevant to the user query, you should give a score of 1.
- If the generated answer is relevant but contains mistakes, you should give a score between 2 and 3.
- If the generated answer is relevant and fully correct, you should give a score between 4 and 5.

Example Response:
4.0
The generated answer has the exact same metrics as the reference answer, but it is not as concise.

"""

CORRECTNESS_USER = """
## User Query
{query}

## Reference Answer
{reference_answer}

## Generated Answer
{generated_answer}
"""

SUPPORT_SYSTEM = (
    "You check citations. Reply with exactly one word: YES if the quoted passage, on its own, supports the "
    "statement; NO otherwise."
)

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_score(reply: str) -> float | None:
    """The score of a CorrectnessEvaluator-style reply: the number on its first line (else the first number), 1-5."""
    reply = reply.strip()
    if not reply:
        return None
    first = reply.splitlines()[0]
    found = _NUMBER.search(first) or _NUMBER.search(reply)
    if not found:
        return None
    score = float(found.group(0))
    return score if 1.0 <= score <= 5.0 else None


def parse_yes(reply: str) -> bool:
    """Whether a support reply says yes."""
    return reply.strip().lower().lstrip("*\"' ").startswith("yes")


class Judge:
    """Asks the configured chat model (OPENAI_BASE_URL / OPENAI_API_KEY / RAG_OPENAI_MODEL) to grade answers."""

    def __init__(self, client: Any, model: str) -> None:
        self.client = client
        self.model = model

    @classmethod
    def from_settings(cls) -> Judge:
        """A judge on the endpoint and model the rag settings name."""
        from rag import Settings
        from rag.llm import make_client

        settings = Settings()
        return cls(make_client(settings), settings.openai_model)

    def _chat(self, system: str, user: str, max_tokens: int) -> str:
        from rag.answer.generative import complete

        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return complete(self.client, self.model, messages, max_tokens)

    def correctness(self, query: str, reference: str, generated: str) -> float | None:
        """Score 1-5 of ``generated`` against ``reference`` (None when the reply has no usable score)."""
        user = CORRECTNESS_USER.format(query=query, reference_answer=reference or "(none)", generated_answer=generated)
        return parse_score(self._chat(CORRECTNESS_SYSTEM, user, 200))

    def supports(self, statement: str, cites: list[Citation]) -> bool:
        """Whether the cited quotes together (each read with its document's date) support ``statement``."""
        passages = "\n\n".join(
            f"Quoted passage{f' (from an article dated {c.date})' if c.date else ''}: {c.quote}" for c in cites
        )
        user = f"Statement: {statement}\n\n{passages}\n\nDo the passages support the statement?"
        return parse_yes(self._chat(SUPPORT_SYSTEM, user, 4))
