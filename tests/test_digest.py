"""Digest jobs: skipping unchanged stories, the incremental update of one story, resume after a
real kill -9, lock contention, one failing story among good ones, the Batch API JSONL round trip
and the Ray engine.

Model answers come from tests/fixtures/digest/traffic.jsonl, recorded from the embedded model
by tests/record_digest_traffic.py and served on loopback by tests/replay_server.py, matched on
the request's content. Prompts are frozen under tests/fixtures/digest/prompts/.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from conftest import REPO
from digest_fixtures import PROMPTS, TRAFFIC, V1, V2, generated_stories
from replay_server import ReplayServer, load_traffic
from storybrief import cli
from storybrief.digest import DigestOptions, DigestSettings, DigestStore, read_jobs, run_digest
from storybrief.errors import InputError
from storybrief.llm import Endpoint
from storybrief.models import Brief

# The replay server listens on loopback; --block-network still blocks everything else.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@pytest.fixture(scope="module")
def server():
    with ReplayServer(TRAFFIC) as replay:
        yield replay


def _settings(out: Path, base_url: str) -> DigestSettings:
    return DigestSettings(out_dir=out, endpoint=Endpoint(base_url=base_url), prompts_dir=PROMPTS)


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=200)


def _cli(args: list[str], base_url: str) -> int:
    return cli.main(["digest", *map(str, args), "--base-url", base_url, "--prompts", str(PROMPTS)])


# --------------------------------------------------------------------------- input


def test_read_jobs_from_story_folders(tmp_path):
    for story, files in {"Alpha story": {"a.txt": "one", "b.md": "two"}, "beta": {"c.txt": "three"}}.items():
        (tmp_path / story).mkdir()
        for name, text in files.items():
            (tmp_path / story / name).write_text(text)
    (tmp_path / "beta" / "notes.pdf").write_bytes(b"%PDF")  # not an article type: not part of the story
    jobs, warnings = read_jobs(tmp_path)
    assert [(j.slug, j.name, j.files) for j in jobs] == [("alpha-story", "Alpha story", ("a.txt", "b.md")),
                                                          ("beta", "beta", ("c.txt",))]
    assert warnings == []
    before = jobs[1].hashes
    (tmp_path / "beta" / "c.txt").write_text("three, edited")
    assert read_jobs(tmp_path)[0][1].hashes != before


def test_read_jobs_from_jsonl_groups_by_story(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"story": "S", "text": "a"}\n{"text": "no story"}\nnot json\n{"story": "S", "text": "b"}\n'
                    '{"story": "T", "text": "c"}\n')
    jobs, warnings = read_jobs(path)
    assert [(j.name, len(j.rows)) for j in jobs] == [("S", 2), ("T", 1)]
    assert any(":2: no 'story' field" in w for w in warnings) and any(":3: malformed JSON" in w for w in warnings)
    with pytest.raises(InputError):
        read_jobs(tmp_path / "missing.txt")


# --------------------------------------------------------------------------- skip and update


@pytest.fixture(scope="module")
def digest_runs(server, tmp_path_factory):
    """v1 (two new stories), v1 again (nothing to do), v2 (one story gained an article)."""
    out = tmp_path_factory.mktemp("digest")
    runs, logs = {}, {}
    for name, source in (("first", V1), ("again", V1), ("update", V2)):
        asked = len(server.requests)
        log = io.StringIO()
        runs[name] = run_digest(source, _settings(out, server.base_url), DigestOptions(concurrency=2),
                                console=Console(file=log, width=200))
        logs[name] = (log.getvalue(), len(server.requests) - asked)
    return out, runs, logs


def test_first_run_briefs_every_story(digest_runs):
    out, runs, logs = digest_runs
    run = runs["first"]
    assert sorted(run.done) == ["bodyguard-testimony", "murray-verdict"] and not run.failed and not run.skipped
    assert run.prompt_tokens > 0 and run.completion_tokens > 0
    for slug in run.done:
        current = out / "stories" / slug
        assert current.is_symlink()
        assert {"brief.md", "brief.html", "brief.json", "report.json", "report.html", "state.json"} <= \
            {p.name for p in current.iterdir()}
        brief = Brief.model_validate_json((current / "brief.json").read_bytes())
        assert brief.verification is not None and brief.sections
        assert json.loads((current / "report.json").read_text())["summary"] == \
            json.loads(brief.verification.model_dump_json())
    # No terminal: one plain line per story, for cron's mail.
    lines = [line for line in logs["first"][0].splitlines() if line.startswith("[")]
    assert len(lines) == 2 and all(": new, 3 articles" in line for line in lines)
    saved = json.loads((out / "run.json").read_text())  # the last run's
    assert set(saved) >= {"done", "skipped", "failed", "prompt_tokens", "completion_tokens", "seconds", "cost"}


def test_unchanged_stories_are_skipped_without_a_model_call(digest_runs):
    _, runs, logs = digest_runs
    run = runs["again"]
    assert sorted(run.skipped) == ["bodyguard-testimony", "murray-verdict"] and not run.done
    assert logs["again"][1] == 0  # not one request reached the server


def test_a_story_that_gained_articles_says_what_changed(digest_runs):
    out, runs, _ = digest_runs
    run = runs["update"]
    assert run.done == ["murray-verdict"] and run.skipped == ["bodyguard-testimony"]
    store = DigestStore(out)
    state = store.current("murray-verdict")
    assert state.status == "updated" and state.new_articles == 1 and len(state.articles) == 4
    brief = Brief.model_validate_json((out / "stories" / "murray-verdict" / "brief.json").read_bytes())
    what_changed = brief.sections[0]
    assert what_changed.lead == "What changed: 1 new article"
    new_source = next(s.source_id for s in brief.sources if s.number == 4)
    for sentence in what_changed.sentences:  # each new development cites the new article
        assert sentence.citations and all(brief.passages[c].source_id == new_source for c in sentence.citations)
    assert state.changes == [s.text for s in what_changed.sentences]
    # Stamped as `storybrief brief` stamps it: a pass means every line supported, none translated.
    v = brief.verification
    translated = [x for s in brief.sections for x in s.sentences if x.translated_from]
    assert v is not None and v.passed == (v.supported == v.sentences and not translated and brief.headline_flag is None)
    markdown = (out / "stories" / "murray-verdict" / "brief.md").read_text()
    assert "Updated (4 articles)" in markdown and "**What changed: 1 new article**" in markdown
    # The previous brief is kept, and the new one was asked with it as context.
    versions = store.versions("murray-verdict")
    assert [v.status for v in versions] == ["updated", "new"] and versions[0].previous_key == versions[1].brief_key
    previous = store.previous_brief(versions[1])
    update_request = next(r for r in load_traffic_requests() if "An earlier brief of this story" in
                          r["messages"][-1]["content"])
    assert previous.headline in update_request["messages"][-1]["content"]
    index = (out / "index.html").read_text()
    assert index.index(brief.headline.replace("'", "&#39;")) < index.index("Bodyguard testimony")  # newest first
    assert "Updated: 1 new article" in index and "1 earlier version" in index


def load_traffic_requests() -> list[dict]:
    rows = [json.loads(line) for line in TRAFFIC.read_text().splitlines() if line.strip()]
    return [row["request"] for row in rows if row["path"] == "/v1/chat/completions"]


# --------------------------------------------------------------------------- failures and locks


def test_one_failing_story_does_not_stop_the_others(server, tmp_path, capsys):
    source = tmp_path / "articles.jsonl"
    source.write_text(V1.read_text() + '{"story": "Broken", "title": "no text field"}\n')
    out = tmp_path / "out"
    assert _cli([source, out], server.base_url) == 5
    run = json.loads((out / "run.json").read_text())
    assert run["failed"] == ["broken"] and sorted(run["done"]) == ["bodyguard-testimony", "murray-verdict"]
    failure = next(s for s in run["stories"] if s["slug"] == "broken")
    assert "no 'text' string" in failure["error"]
    assert "1 of 3 stories failed: broken" in capsys.readouterr().err
    assert "Not briefed yet (1)" in (out / "index.html").read_text()
    # The next run retries it, and only it.
    assert _cli([source, out], server.base_url) == 5
    run = json.loads((out / "run.json").read_text())
    assert run["failed"] == ["broken"] and len(run["skipped"]) == 2 and not run["done"]


def test_a_second_run_exits_at_once_while_the_first_holds_the_lock(server, tmp_path, capsys):
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    asked = len(server.requests)
    with FileLock(str(out / ".digest.lock")):
        assert _cli([V1, out], server.base_url) == 75
    assert "another digest run holds" in capsys.readouterr().err
    assert len(server.requests) == asked
    assert not (out / "run.json").exists() and not (out / "stories").exists()


def test_kill_9_mid_run_then_a_rerun_finishes_only_what_is_missing(tmp_path):
    source = tmp_path / "articles.jsonl"
    names = generated_stories(8, source)
    out = tmp_path / "out"
    log = tmp_path / "requests.log"
    with ReplayServer(TRAFFIC, latency=0.4, log_path=log) as slow:
        command = [sys.executable, "-m", "storybrief.cli", "digest", str(source), str(out), "--base-url",
                   slow.base_url, "--prompts", str(PROMPTS), "--concurrency", "1"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((out / "stories").glob("story-*"))) < 2:
            time.sleep(0.05)
        time.sleep(0.5)  # into the next story's model calls
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        committed = {p.name for p in (out / "stories").glob("story-*")}
        assert 2 <= len(committed) < len(names), "the kill did not land mid-run"
        for link in (out / "stories").glob("story-*"):  # what is there is whole
            for name in ("brief.json", "report.json", "state.json"):
                json.loads((link / name).read_text())
        asked_before = len(log.read_text().splitlines())
        rerun = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    run = json.loads((out / "run.json").read_text())
    assert set(run["skipped"]) == committed  # nothing briefed twice
    assert set(run["done"]) | committed == {n.replace(" ", "-") for n in names}
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    assert len(log.read_text().splitlines()) > asked_before


# --------------------------------------------------------------------------- Batch API JSONL


def _answer_from_recording(requests_file: Path, results_file: Path) -> int:
    """What vLLM run-batch or the OpenAI Batch API would return, with the recorded answers."""
    recorded = load_traffic(TRAFFIC)
    lines = []
    for line in requests_file.read_text().splitlines():
        request = json.loads(line)
        assert set(request) == {"custom_id", "method", "url", "body"}
        assert request["method"] == "POST" and request["url"] == "/v1/chat/completions"
        assert request["custom_id"] in recorded, "a batch request differs from the live one"
        lines.append(json.dumps({"id": "r", "custom_id": request["custom_id"], "error": None,
                                 "response": {"status_code": 200, "request_id": "", "body": recorded[request["custom_id"]]}}))
    results_file.write_text("\n".join(lines) + "\n")
    return len(lines)


def test_batch_jsonl_round_trip_gives_the_same_briefs(digest_runs, tmp_path, server):
    live_out = digest_runs[0]
    out = tmp_path / "out"
    settings = _settings(out, server.base_url)
    asked = len(server.requests)
    batch_in: list[Path] = []
    done: list[str] = []
    rounds = 0
    while True:
        requests_file = tmp_path / f"requests-{rounds}.jsonl"
        run = run_digest(V1, settings, DigestOptions(batch_out=requests_file, batch_in=batch_in[-1:]),
                         console=_quiet())
        done += run.done  # a story is done in the round that answers its last request
        if not run.pending:
            break
        assert run.batch_requests and rounds < 5
        rounds += 1
        batch_in.append(tmp_path / f"results-{rounds}.jsonl")
        _answer_from_recording(requests_file, batch_in[-1])
    assert len(server.requests) == asked  # nothing went to the server
    assert rounds >= 1 and sorted(done) == ["bodyguard-testimony", "murray-verdict"]
    for slug in done:
        first = Brief.model_validate_json((live_out / "history" / slug / DigestStore(live_out).versions(slug)[-1]
                                           .brief_key / "brief.json").read_bytes())
        batched = Brief.model_validate_json((out / "stories" / slug / "brief.json").read_bytes())
        assert batched.headline == first.headline and batched.sections == first.sections
        assert batched.verification is not None


def test_batch_submits_and_polls_where_the_endpoint_has_a_batch_api(tmp_path, server):
    out = tmp_path / "out"
    run = run_digest(V1, _settings(out, server.base_url), DigestOptions(batch_submit=True, batch_poll_seconds=0),
                     console=_quiet())
    assert sorted(run.done) == ["bodyguard-testimony", "murray-verdict"] and not run.pending
    assert sorted((out / ".cache" / "batch-rounds").glob("round-*.results.jsonl"))


# --------------------------------------------------------------------------- Ray


def test_ray_engine_runs_each_story_as_a_task(tmp_path, server, monkeypatch):
    ray = pytest.importorskip("ray")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    source = tmp_path / "articles.jsonl"
    generated_stories(4, source)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        run = run_digest(source, _settings(tmp_path / "out", server.base_url),
                         DigestOptions(engine="ray", concurrency=2), console=_quiet())
    finally:
        ray.shutdown()
    assert run.engine == "ray" and len(run.done) == 4 and not run.failed
    assert all((tmp_path / "out" / "stories" / slug / "brief.html").is_file() for slug in run.done)


# --------------------------------------------------------------------------- machinery, no model


def test_an_output_set_is_replaced_whole_and_the_old_one_kept(tmp_path):
    store = DigestStore(tmp_path)
    store.commit("s", "key1", {"brief.md": "one", "state.json": "{}"})
    assert (tmp_path / "stories" / "s" / "brief.md").read_text() == "one"
    store.commit("s", "key2", {"brief.md": "two", "state.json": "{}"})
    assert (tmp_path / "stories" / "s" / "brief.md").read_text() == "two"
    assert os.readlink(tmp_path / "stories" / "s") == os.path.join("..", "history", "s", "key2")
    assert (tmp_path / "history" / "s" / "key1" / "brief.md").read_text() == "one"
    store.commit("s", "key1", {"brief.md": "ignored", "state.json": "{}"})  # an existing set is only re-pointed
    assert (tmp_path / "stories" / "s" / "brief.md").read_text() == "one"
    assert not any((tmp_path / "stories").glob(".*")) and not any(store.staging.glob("*"))


def test_batch_transport_collects_what_it_cannot_answer(tmp_path):
    import httpx2

    from storybrief.batch import BatchStore, BatchTransport, PendingRequests, custom_id

    store, pending = BatchStore(tmp_path / "answers"), PendingRequests()
    client = BatchTransport(store, pending).client()
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}
    assert client.post("http://x/v1/chat/completions", json=body).status_code == 409
    assert client.post("http://x/tokenize", json={"content": "hi"}).status_code == 404  # no tokenizer offline
    assert pending.write(tmp_path / "requests.jsonl") == 1
    line = json.loads((tmp_path / "requests.jsonl").read_text())
    assert line == {"custom_id": custom_id(body), "method": "POST", "url": "/v1/chat/completions", "body": body}
    answer = {"id": "c", "object": "chat.completion", "choices": []}
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"custom_id": line["custom_id"], "response": {"status_code": 200, "body": answer}})
                       + "\n" + json.dumps({"custom_id": "other", "response": {"status_code": 500, "body": {}}}) + "\n")
    assert store.ingest(results) == 1  # the errored line stays pending for the next round
    assert client.post("http://x/v1/chat/completions", json=body).json() == answer
    with pytest.raises(InputError):
        (tmp_path / "bad.jsonl").write_text("not json\n")
        store.ingest(tmp_path / "bad.jsonl")
    assert isinstance(client, httpx2.Client)


def test_run_jobs_keeps_order_and_fails_only_the_failing_job():
    from storybrief.errors import ModelUnavailableError
    from storybrief.runner import run_jobs

    def work(n: int) -> int:
        if n == 3:
            raise ModelUnavailableError("server down")
        time.sleep(0.01 * (5 - n))
        return n * n

    seen = []
    outcomes = run_jobs(list(range(5)), work, concurrency=3, on_done=lambda o: seen.append(o.job))
    assert [o.result for o in outcomes] == [0, 1, 4, None, 16] and sorted(seen) == list(range(5))
    assert outcomes[3].error == "server down" and not outcomes[3].ok
    with pytest.raises(ZeroDivisionError):  # a bug is not a job failure unless asked
        run_jobs([0], lambda n: 1 / n)
