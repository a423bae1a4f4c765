# Two commands do all set-up: `make run` and `make test`. Both install into .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INDEX ?= .rag
DOCS ?= seeds
TEST_MODEL := .cache/models/SmolLM2-135M-Instruct.Q4_1.gguf

.PHONY: run test lint typecheck unit evals bench ingest clean screenshot

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(TEST_MODEL): $(VENV)/.installed
	PYTHON=$(PY) bash scripts/fetch_test_model.sh

## Start the app on the offline default, ingesting $(DOCS) when there is no index yet.
run: $(VENV)/.installed
	test -f $(INDEX)/index.sqlite3 || $(PY) ingest.py $(DOCS) --index $(INDEX)
	RAG_INDEX_DIR=$(INDEX) $(PY) app.py

ingest: $(VENV)/.installed
	$(PY) ingest.py $(DOCS) --index $(INDEX)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy rag

## The whole suite: lint, types, unit and integration tests, LLM-path tests, browser tests, seed evals.
test: $(VENV)/.installed $(TEST_MODEL)
	bash scripts/setup_browser.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy rag
	$(PY) -m pytest -q

## Refresh docs/screenshot.png from the browser test.
screenshot: $(VENV)/.installed
	bash scripts/setup_browser.sh
	UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_ui_browser.py

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_ingest_ask.py

clean:
	rm -rf $(VENV) .cache $(INDEX)
