#!/usr/bin/env bash
# Re-record every test's model traffic against the embedded model, after a change to prompts/
# or to what the summariser sends (about 30 minutes on two cores; the model must be fetched:
# `storybrief fetch-model`). The frozen prompt copies the eval matrix and the digest tests
# replay are refreshed from prompts/ first, so every recording is of the current prompts.
set -euo pipefail
cd "$(dirname "$0")/.."
for frozen in cassettes/test_evaluate/prompts/*.j2 tests/fixtures/digest/prompts/*.j2; do
    cp "prompts/$(basename "$frozen")" "$frozen"
done
cp evals/prompts/close/*.j2 cassettes/test_evaluate/variants/close/
.venv/bin/pytest -q -p no:randomly tests/test_brief_e2e.py tests/test_repair.py tests/test_window_fit.py \
    "tests/test_evaluate.py::test_eval_matrix_seed" --record-mode=rewrite
.venv/bin/python tests/record_digest_traffic.py
