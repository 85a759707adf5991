#!/usr/bin/env bash
# Install everything the tests need and run the whole test suite (and the linter).
EXTRAS=test
source "$(dirname "${BASH_SOURCE[0]}")/setup-venv.sh"
echo "== ruff"
.venv/bin/ruff check .
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
