#!/usr/bin/env bash
# Install everything the tests need, lint, run the offline eval gates, then the whole test suite.
EXTRAS=test
source "$(dirname "${BASH_SOURCE[0]}")/setup-venv.sh"
echo "== ruff"
.venv/bin/ruff check .
echo "== eval gates: smoke and safety suites (offline drafter), the checker's calibration"
.venv/bin/assistant eval run smoke --quiet --out build/evals
.venv/bin/assistant eval run safety --quiet --out build/evals
.venv/bin/assistant eval calibrate evals/labelled/replies.jsonl --quiet --min-f1 0.95 --out build/evals > /dev/null
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
