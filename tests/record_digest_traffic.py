"""Record the model traffic the digest tests and benchmarks/digest.py replay.

Runs two digests through a recording ReplayServer in front of the embedded model: the two
stories of articles-v1.jsonl, then articles-v2.jsonl, where one story gained an article (its
update call sees the first brief). Needs the embedded model, about 10 minutes on 2 cores:

    flock /work/coord/model.lock python tests/record_digest_traffic.py

Requests already in the traffic file are answered from it; only new ones go to the model, and
answers no run asked for are dropped at the end. Re-record after a change to
tests/fixtures/digest/prompts/ or to what the summariser sends.
"""

from __future__ import annotations

import json
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
    with connect(Endpoint()) as live, ReplayServer(TRAFFIC, upstream=live.base_url) as recorder, \
            tempfile.TemporaryDirectory() as out:
        settings = DigestSettings(out_dir=Path(out), endpoint=Endpoint(base_url=recorder.base_url),
                                  prompts_dir=PROMPTS)
        for version in ("v1", "v2"):
            run = run_digest(FIXTURES / f"articles-{version}.jsonl", settings, DigestOptions(concurrency=1))
            print(version, "done", run.done, "failed", run.failed, flush=True)
            if run.failed:
                sys.exit(f"recording failed: {[s.error for s in run.stories if s.error]}")
    # Keep exactly the traffic these runs asked for: answers a changed prompt no longer asks go.
    used = set(recorder.requests)
    kept = [line for line in TRAFFIC.read_text(encoding="utf-8").splitlines() if json.loads(line)["custom_id"] in used]
    TRAFFIC.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    print(f"{len(kept)} recorded answers in {TRAFFIC}")


if __name__ == "__main__":
    main()
