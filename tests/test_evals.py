"""The seed-eval CI gate (one module-scoped offline run), metric unit tests and dataset adapter tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from evals import metrics
from evals.datasets import GOLD, SEEDS, Item, find_source, load, squash
from evals.judge import Judge, parse_score, parse_yes
from rag import Citation

REPO = Path(__file__).resolve().parent.parent
THRESHOLDS = REPO / "evals" / "thresholds.toml"
SHARED = REPO.parent / "shared" / "datasets"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"external datasets not present at {SHARED}")


# --- the gate: one offline run of the seed evals ------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from rag import Assistant

    return Assistant.build(SEEDS, tmp_path_factory.mktemp("evals-index"))


@pytest.fixture(scope="module")
def seed_run(assistant: Any) -> dict[str, Any]:
    from evals.runner import run_eval

    calls: list[tuple[int, int]] = []
    result = run_eval(str(GOLD), assistant, lambda done, total: calls.append((done, total)))
    result["progress_calls"] = calls
    return result


def test_seed_metrics_meet_thresholds(seed_run: dict[str, Any]) -> None:
    minimum, maximum = metrics.load_thresholds(str(THRESHOLDS))
    missing = [k for k in [*minimum, *maximum] if seed_run["metrics"].get(k) is None]
    assert not missing, f"metrics not measured: {missing}"
    problems = metrics.check(seed_run["metrics"], minimum, maximum)
    assert not problems, "below threshold: " + "; ".join(problems)


def test_holdout_metrics_meet_thresholds(assistant: Any) -> None:
    """The held-out set, written without sight of the engine's answers, guards against tuning to the seed set."""
    from evals.runner import run_eval

    result = run_eval(str(GOLD.with_name("holdout.jsonl")), assistant)
    assert result["n"] == 40
    minimum, maximum = metrics.load_thresholds(str(THRESHOLDS.with_name("thresholds_holdout.toml")))
    problems = metrics.check(result["metrics"], minimum, maximum)
    assert not problems, "below threshold: " + "; ".join(problems)


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Any]:
    """The index of a corpus, built once and shared by the gold sets written over it (pydocs, pydocs_blind, which
    run one after the other). Only the last corpus's assistant is kept: each holds about a gigabyte once asked."""
    import gc

    from rag import Assistant

    built: dict[Path, Any] = {}

    def get(docs: Path) -> Any:
        if docs.resolve() not in built:
            built.clear()
            gc.collect()
            built[docs.resolve()] = Assistant.build(docs, tmp_path_factory.mktemp("corpus-index"))
        return built[docs.resolve()]

    return get


@pytest.mark.parametrize(
    "name",
    [
        "pydocs",
        "pydocs_blind",
        "sqlite_blind",
        "git_blind",
        "plaintext_blind",
        "md_blind",
        "manual_blind",
        "handbook_blind",
        "octave_blind",
        "rst_blind",
        "policy_blind",
        "pg_blind",
        "paper",
        "paper2_blind",
        "paper3_blind",
        "history_blind",
        "legal_blind",
        "whatsnew_blind",
        "manpages_blind",
        "info_blind",
        "faq_blind",
        "research_blind",
        "httpd_blind",
        "bash_blind",
        "essays",
        "essays_blind",
    ],
)
def test_other_kinds_of_documents_meet_thresholds(name: str, corpus_index: Callable[[Path], Any]) -> None:
    """The sets over product docs (three HTML sites, a Markdown one and a reStructuredText one), an administrator's
    handbook (DocBook HTML), a Texinfo HTML reference manual, a policy manual (Sphinx HTML), a database's SQL reference (DocBook HTML), plain-text documents,
    three two-column PDFs, a PDF manual, a project's history (HTML), licence texts (plain text), release notes (HTML),
    manual pages and GNU Info manuals saved as text, a FAQ book (PDF), statistics papers (PDF), a web server's manual (HTML), a shell's reference manual on one HTML page, and essays, all written blind: gated like the
    news sets."""
    from evals.runner import run_eval

    path = GOLD.with_name(f"{name}.jsonl")
    dataset = load(path)
    if not dataset.docs_dir.is_dir():
        pytest.skip(f"documents not present at {dataset.docs_dir}")
    result = run_eval(str(path), corpus_index(dataset.docs_dir))
    minimum, maximum = metrics.load_thresholds(str(THRESHOLDS.with_name(f"thresholds_{name}.toml")))
    problems = metrics.check(result["metrics"], minimum, maximum)
    assert not problems, "below threshold: " + "; ".join(problems)


def test_seed_run_shape(seed_run: dict[str, Any]) -> None:
    assert seed_run["n"] == len(seed_run["records"]) == 84
    assert seed_run["progress_calls"][-1] == (84, 84)
    assert len(seed_run["progress_calls"]) == 84
    json.dumps(seed_run)  # the UI and the report need it JSON-ready
    bad = [(r["id"], c["n"]) for r in seed_run["records"] for c in r["citations"] if not c["valid"]]
    assert not bad, f"citations whose quote is not the source text at their span: {bad}"


def test_reports_written(seed_run: dict[str, Any], tmp_path: Path) -> None:
    from evals import report

    first = report.write(seed_run, tmp_path)
    assert first["png"].stat().st_size > 10_000
    text = first["md"].read_text(encoding="utf-8")
    assert "## Failed questions" in text and "| Key-fact accuracy |" in text
    previous = report.previous_run(tmp_path, seed_run["dataset"], seed_run["n"])
    assert previous is not None and previous["metrics"] == json.loads(json.dumps(seed_run["metrics"]))
    report.write(seed_run, tmp_path / "again", previous)
    assert (tmp_path / "again" / "previous.json").exists()
    assert "| Delta vs previous |" in (tmp_path / "again" / "latest.md").read_text(encoding="utf-8")


def test_naive_baseline_retrieves_seed_files(assistant: Any) -> None:
    from evals.naive import NaiveRAG
    from evals.runner import evaluate_naive

    naive = NaiveRAG(SEEDS, assistant.embedder)
    files = naive.retrieve("When was the Baghdad coordination centre agreed?")
    assert len(files) == min(5, naive.chunks) and all((SEEDS / f).is_file() for f in files)
    found = evaluate_naive(load(GOLD), naive, limit=10)
    assert found["n"] == 10 and found["metrics"]["hit_at_5"] is not None


# --- metric functions -------------------------------------------------------------------------------------


def test_file_level_retrieval_metrics() -> None:
    retrieved = ["a.txt", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
    assert metrics.distinct(retrieved) == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
    assert metrics.hit_at(retrieved, ["a.txt"], 1) == 1.0
    assert metrics.hit_at(retrieved, ["b.txt"], 1) == 0.0
    assert metrics.hit_at(retrieved, ["e.txt"], 5) == 1.0  # 5th distinct file, though the 6th chunk
    assert metrics.hit_at(retrieved, ["f.txt"], 5) == 0.0
    assert metrics.reciprocal_rank(retrieved, ["c.txt", "x.txt"]) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank(retrieved, ["x.txt"]) == 0.0
    assert metrics.gold_recall(retrieved, ["a.txt", "x.txt"]) == 0.5
    assert metrics.gold_recall(retrieved, []) == 0.0
    rows = [(retrieved, ["b.txt"]), (retrieved, ["x.txt"]), (retrieved, [])]
    assert metrics.retrieval_metrics(rows) == {"hit_at_1": 0.0, "hit_at_5": 0.5, "mrr": 0.25, "gold_recall": 0.5}


def test_facts_and_quotes() -> None:
    assert metrics.facts_match("Agreed in SEPTEMBER 2015.", [r"2015", r"Sept(ember)?"])
    assert not metrics.facts_match("Agreed in 2015.", [r"2015", r"Sept(ember)?"])
    assert metrics.facts_match("anything", [])
    source = "Iraq agreed. Russia joined."
    assert metrics.quote_valid("Russia joined.", source, 13, 27)
    assert not metrics.quote_valid("Russia joined", source, 13, 27)
    assert not metrics.quote_valid("", source, 5, 5)
    assert not metrics.quote_valid("x", source, 30, 31)


def test_cited_sentences() -> None:
    text = "Iraq agreed on September 26. [1][2] Russia joined it. Nobody cites this. [3]"
    assert metrics.cited_sentences(text) == [
        ("Iraq agreed on September 26.", [1, 2]),
        ("Russia joined it.", []),
        ("Nobody cites this.", [3]),
    ]
    assert metrics.cited_sentences("No markers at all.") == [("No markers at all.", [])]
    assert metrics.cited_sentences("Claim [1] and more [2]") == [("Claim", [1]), ("and more", [2])]
    # An index in quoted code is not a citation marker.
    assert metrics.cited_sentences("The smallest item is heap[0]. [1]") == [("The smallest item is heap[0].", [1])]
    assert metrics.cited_sentences("Footnoted.[2] Next.") == [("Footnoted.", [2]), ("Next.", [])]
    # An R session's output opens its lines with "[1]": inside a quote the answer writes, that is the quote's text.
    session = 'R> start(z1)\n[1] "2004-01-05"'
    text = f"They are the same. [1] {session} [2]"
    assert [m for _, m in metrics.cited_sentences(text, ["They are the same.", session])] == [[1], [2]]
    assert ("R> start(z1)", [1]) in metrics.cited_sentences(text)  # read without its quotes, "[1]" misleads


def test_context_overlap_and_rank() -> None:
    context = "Solana uses proof of history to order transactions.\nIt also uses Tower BFT for consensus decisions."
    assert metrics.overlaps("It also uses  Tower BFT for consensus decisions.", context)  # contained
    assert metrics.overlaps("Intro text. Solana uses proof of history to order transactions. It also", context)
    assert not metrics.overlaps("Bitcoin uses proof of work to order blocks of transactions.", context)
    assert metrics.context_rank(["unrelated words here", "Tower BFT for consensus decisions."], [context]) == 2
    assert metrics.context_rank(["unrelated"], [context]) is None
    assert metrics.context_metrics([1, 2, None, 8]) == {"context_hit_at_5": 0.5, "context_mrr": 0.40625}


def test_score_record_and_failures() -> None:
    from evals.runner import failures, score
    from rag import Answer, Citation

    text = "Iraq agreed. Russia joined later."
    answer = Answer(
        "q?",
        "Iraq agreed on 26 September 2015 [1]. Russia joined. [2][3]",
        False,
        [
            Citation(1, "a.txt", "Iraq agreed.", 0, 12),
            Citation(2, "a.txt", "Russia joined", 14, 27),
            Citation(3, "a.txt", "Russia joined later.", 13, 33),
        ],
    )
    item = Item("x", "q?", facts=["2015"], sources=["b.txt"])
    assistant = SimpleNamespace(source_text=lambda source: text)
    r = score(item, answer, assistant, lambda claim, quote: "2015" not in claim, 5.0)  # type: ignore[arg-type]
    assert [c["valid"] for c in r["citations"]] == [True, False, True]
    assert (r["cite_pairs"], r["cite_supported"], r["sentences"], r["sentences_supported"]) == (3, 2, 2, 1)
    assert r["facts_ok"] and not r["cites_gold"] and r["hit_at_5"] == 0.0
    why = failures(r)
    assert "cites no gold file" in why and "invalid citation [2]" in why
    assert any(w.startswith("citation [1] does not support") for w in why)


def test_joint_support_is_scored_like_alce() -> None:
    """A sentence backed only by two citations together is supported, and both are precise; a citation that
    adds nothing to one that suffices alone is not."""
    from evals.runner import score
    from rag import Answer, Citation

    text = "On September 26 it spoke. Its minister spoke a day earlier. Unrelated words here."
    cites = [
        Citation(1, "a.txt", "On September 26 it spoke.", 0, 25),
        Citation(2, "a.txt", "Its minister spoke a day earlier.", 26, 59),
        Citation(3, "a.txt", "Unrelated words here.", 60, 81),
    ]
    answer = Answer("q?", "25 September [1][2]. It spoke on September 26 [1][3].", False, cites)

    def supported(claim: str, found: list[Citation]) -> bool:
        ns = {c.n for c in found}
        return {1, 2} <= ns if claim.startswith("25") else 1 in ns

    r = score(Item("x", "q?", sources=["a.txt"]), answer, SimpleNamespace(source_text=lambda s: text), supported, 1.0)  # type: ignore[arg-type]
    assert all(c["valid"] for c in r["citations"])
    assert (r["sentences"], r["sentences_supported"], r["cite_pairs"], r["cite_supported"]) == (2, 2, 4, 3)
    assert r["unsupported"] == [{"n": 3, "sentence": "It spoke on September 26"}]


def test_first_sentence() -> None:
    assert metrics.first_sentence("Late September 2015 [1]. Russia agreed then. [1]") == "Late September 2015"
    assert metrics.first_sentence("") == ""


def test_refusal_scores() -> None:
    expected = [True, True, False, False]
    assert metrics.refusal_scores(expected, [True, False, True, False]) == (0.5, 0.5)
    assert metrics.refusal_scores(expected, [False, False, False, False]) == (0.0, 0.0)
    assert metrics.refusal_scores([False, False], [False, True]) == (0.0, None)
    assert metrics.refusal_scores([False], [False]) == (None, None)


def test_percentile_and_mean() -> None:
    assert metrics.percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert metrics.percentile([5.0], 95) == 5.0
    assert metrics.percentile([], 50) == 0.0
    assert metrics.percentile(list(map(float, range(101))), 95) == 95.0
    assert metrics.mean([]) is None


def _record(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "answerable": True,
        "gold": ["a.txt"],
        "facts": ["x"],
        "refused": False,
        "citations": [{"valid": True}],
        "sentences": 1,
        "sentences_supported": 1,
        "cite_pairs": 1,
        "cite_supported": 1,
        "hit_at_1": 1.0,
        "hit_at_5": 1.0,
        "rr": 1.0,
        "gold_recall": 1.0,
        "facts_ok": True,
        "cites_gold": True,
        "latency_ms": 10.0,
    }
    return {**base, **kw}


def test_aggregate() -> None:
    records = [
        _record(),
        _record(facts_ok=False, hit_at_1=0.0, rr=0.5, cites_gold=False, latency_ms=30.0),
        _record(refused=True, facts_ok=False, cites_gold=False, citations=[], sentences=0, cite_pairs=0),
        _record(answerable=False, gold=[], facts=[], refused=True, citations=[], sentences=0, cite_pairs=0),
        _record(
            answerable=False, gold=[], facts=[], citations=[{"valid": False}], cite_supported=0, sentences_supported=0
        ),
    ]
    m = metrics.aggregate(records)
    assert m["key_fact_accuracy"] == pytest.approx(1 / 3)
    assert m["hit_at_1"] == pytest.approx(2 / 3) and m["mrr"] == pytest.approx(2.5 / 3)
    assert m["gold_citation"] == pytest.approx(1 / 3)
    assert m["answered"] == pytest.approx(2 / 3)
    assert m["citation_validity"] == pytest.approx(2 / 3)
    assert m["citation_precision"] == pytest.approx(2 / 3) and m["citation_recall"] == pytest.approx(2 / 3)
    assert (m["refusal_precision"], m["refusal_recall"]) == (0.5, 0.5)
    assert m["latency_p50_ms"] == 10.0 and m["judge_correctness"] is None


def test_check_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("mrr = 0.9\nhit_at_5 = 0.5\n[max]\nlatency_p95_ms = 100\n", encoding="utf-8")
    minimum, maximum = metrics.load_thresholds(str(path))
    assert minimum == {"mrr": 0.9, "hit_at_5": 0.5} and maximum == {"latency_p95_ms": 100.0}
    problems = metrics.check({"mrr": 0.8, "hit_at_5": 0.5, "latency_p95_ms": 150.0}, minimum, maximum)
    assert problems == ["mrr = 0.800 < 0.900", "latency_p95_ms = 150.0 > 100.0"]
    assert metrics.check({"mrr": None}, {"mrr": 0.9}) == []


def test_judge_parsing_and_calls() -> None:
    assert parse_score("4.0\nGood but long.") == 4.0
    assert parse_score("Score: 3\nreason") == 3.0
    assert parse_score("") is None and parse_score("great") is None and parse_score("9\n") is None
    assert parse_yes("Yes.") and parse_yes("**YES**") and not parse_yes("No")
    replies = iter(["5\nfully correct", "yes"])
    create = lambda **_: SimpleNamespace(  # noqa: E731
        choices=[SimpleNamespace(message=SimpleNamespace(content=next(replies)))]
    )
    judge = Judge(SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create))), "m")
    assert judge.correctness("q", "ref", "gen") == 5.0
    assert judge.supports("claim", [Citation(1, "a.txt", "quote", 0, 5, date="2018-09-01")])


# --- dataset adapters -------------------------------------------------------------------------------------


def test_gold_dataset() -> None:
    ds = load(GOLD)
    assert ds.kind == "gold" and len(ds.items) == 84 and ds.docs_dir == SEEDS
    assert sum(i.expect_refusal for i in ds.items) == 22
    assert all((SEEDS / s).is_file() for i in ds.items for s in i.sources)
    assert all(i.facts for i in ds.items if i.answerable)


def test_find_source_by_text() -> None:
    docs = {"a.txt": squash("The quick brown fox.\nJumps over   the lazy dog."), "b.txt": squash("Other text.")}
    assert find_source("fox. Jumps over the lazy\n dog", docs) == "a.txt"
    assert find_source("nothing like it", docs) is None


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="Unknown dataset format"):
        load(path)


@needs_shared
def test_llamaindex_solana_dataset() -> None:
    ds = load(SHARED / "blockchain_solana" / "rag_dataset.json")
    assert ds.kind == "llamaindex" and len(ds.items) == 58 and not ds.unresolved
    assert {s for i in ds.items for s in i.sources} == {"BlockchainSolana.txt"}
    assert all(i.answer and i.answerable and not i.facts for i in ds.items)


@needs_shared
def test_tonic_paul_graham_datasets() -> None:
    folder = SHARED / "paul_graham_essays_tonic"
    ds = load(folder / "qa_pairs.json")
    assert ds.kind == "tonic" and len(ds.items) == 55 and not ds.unresolved
    essays = {s for i in ds.items for s in i.sources}
    assert len(essays) == 29 and all((folder / "source_files" / s).is_file() for s in essays)
    extra = load(folder / "question_and_answer_list.json")
    assert len(extra.items) == 14 and not extra.unresolved
    assert extra.items[0].sources == ["5founders.txt"]


def test_item_defaults() -> None:
    assert Item("x", "q?").answerable and not Item("y", "q?", expect_refusal=True).answerable


def test_calibration_fit_and_curve() -> None:
    """The refusal model's fit separates what can be separated, and the curve counts refusals right."""
    import numpy as np

    from evals.calibrate import curve, fit

    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0.7, 0.1, (50, 2)), rng.normal(0.3, 0.1, (50, 2))])
    y = np.array([1.0] * 50 + [0.0] * 50)
    coef, bias = fit(x, y, np.ones(100))
    p = 1 / (1 + np.exp(-(x @ coef + bias)))
    assert (p[:50] > 0.5).mean() > 0.9 and (p[50:] < 0.5).mean() > 0.9
    points = {pt["threshold"]: pt for pt in curve(p, y.astype(bool), np.zeros(100, dtype=bool))}
    mid = points[0.5]
    assert mid["refusal_precision"] > 0.9 and mid["refusal_recall"] > 0.9 and mid["answered"] > 0.9


def test_whole_quotes() -> None:
    assert metrics.quote_whole("The kettle switches itself off when it boils dry.")
    assert metrics.quote_whole("@cache\ndef factorial(n):\n    return n")  # a block
    assert not metrics.quote_whole("concept of gradient descent: with a learning rate")  # a printed line
    assert not metrics.quote_whole("partially supervised, and unsupervised")
    page = "## OPTIONS\n\ngit switch refuses to run here. remove refuses an unclean tree.\n\n- .gitignore, .git/info/exclude\n\n"
    page += "• slink (Debian 2.1) was Slinky Dog,\n\n"  # a PDF's bulleted item
    page += "the new branch\nis created from the\ncurrent HEAD.\n"
    for quote, whole in [
        ("git switch refuses to run here.", True),  # a sentence may start with a command's name, at a block's head
        ("remove refuses an unclean tree.", True),  # ... or after a full stop
        ("- .gitignore, .git/info/exclude", True),  # a list item ends where its block ends
        ("• slink (Debian 2.1) was Slinky Dog,", True),
        ("is created from the", False),  # a line of a wrapped paragraph, not a sentence
        ("current HEAD.", False),  # it ends a sentence but starts mid-sentence (after a single line break)
        ("the new branch", False),  # a block's head with no sentence end, not a list item
    ]:
        assert metrics.quote_whole(quote, page, page.index(quote)) is whole, quote
    page = "Then switch back:\n\n```\n$ git switch master\n```\n\nand run\n\n```sh\n$ make test && make run\n```\n"
    for quote, whole in [
        ("$ git switch master", True),  # a one-line code block, all that is between its fences
        ("$ git switch", False),  # part of one
        ("make test && make run", False),
        ("$ make test && make run", True),
    ]:
        assert metrics.quote_whole(quote, page, page.index(quote)) is whole, quote
