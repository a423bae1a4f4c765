"""Evaluation harness: ``python -m evals``, or :func:`run_eval` from code."""

from .runner import run_eval

__all__ = ["run_eval"]
