#!/usr/bin/env bash
# Install, index the knowledge base, and start the app on http://127.0.0.1:8501
EXTRAS=app
source "$(dirname "${BASH_SOURCE[0]}")/setup-venv.sh"
echo "== indexing knowledge/"
.venv/bin/assistant ingest
echo "== starting the app on http://127.0.0.1:${PORT:-8501}"
exec .venv/bin/streamlit run app.py --server.address 127.0.0.1 --server.port "${PORT:-8501}" \
  --server.headless true --browser.gatherUsageStats false
