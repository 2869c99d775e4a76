"""Record the model traffic the digest tests and benchmarks/digest.py replay.

Runs two digests through a recording ReplayServer in front of the embedded model: the two
stories of articles-v1.jsonl, then articles-v2.jsonl, where one story gained an article (its
update call sees the first brief). Needs the embedded model, about 10 minutes on 2 cores:

    flock /work/coord/model.lock python tests/record_digest_traffic.py

Re-record after a change to tests/fixtures/digest/prompts/ or to what the summariser sends.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay_server import ReplayServer  # noqa: E402

from storybrief.digest import DigestOptions, DigestSettings, run_digest  # noqa: E402
from storybrief.llm import Endpoint, connect  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
TRAFFIC = FIXTURES / "traffic.jsonl"
PROMPTS = FIXTURES / "prompts"


def main() -> None:
    TRAFFIC.unlink(missing_ok=True)
    with connect(Endpoint()) as live, ReplayServer(TRAFFIC, upstream=live.base_url) as recorder, \
            tempfile.TemporaryDirectory() as out:
        settings = DigestSettings(out_dir=Path(out), endpoint=Endpoint(base_url=recorder.base_url),
                                  prompts_dir=PROMPTS)
        for version in ("v1", "v2"):
            run = run_digest(FIXTURES / f"articles-{version}.jsonl", settings, DigestOptions(concurrency=1))
            print(version, "done", run.done, "failed", run.failed, flush=True)
            if run.failed:
                sys.exit(f"recording failed: {[s.error for s in run.stories if s.error]}")
    print(f"recorded {len(recorder.answers)} answers into {TRAFFIC}")


if __name__ == "__main__":
    main()
