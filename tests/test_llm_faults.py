"""The one retry policy against a loopback server that fails on purpose.

The fault server only ever fails, so no model answer is invented here; real answers come
from cassettes recorded on the embedded model (the cut-off server truncates one of them).
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from conftest import REPO
from storybrief.errors import ConfigError, ModelUnavailableError
from storybrief.llm import LLM, Endpoint, StructuredFailure, retry_policy
from storybrief.prompts import PromptLibrary
from storybrief.summarise import ASPECTS, _worded, _wording_model

# The fault server listens on loopback, which CI's --block-network would otherwise refuse.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


class FaultServer:
    """Answers every request with `status` and `body` (or stalls for `stall` seconds); counts
    chat-completion requests (not the /tokenize calls that fit the window) and keeps the last
    one's body. `echo_headers`: the error body repeats the
    request's headers, as some proxies do (Authorization included)."""

    def __init__(self, status: int = 500, stall: float = 0.0, body: bytes = b'{"error": {"message": "injected fault"}}',
                 echo_headers: bool = False):
        self.requests = 0
        self.last_request = b""
        self._closing = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path.endswith("/chat/completions"):  # not llama.cpp's /tokenize
                    owner.requests += 1
                    owner.last_request = request
                if stall:
                    owner._closing.wait(stall)  # released at close, so teardown does not wait it out
                answer = body
                if echo_headers:
                    echoed = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                    answer = json.dumps({"error": {"message": f"bad request, headers were {echoed}"}}).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first: that is what a timeout test wants

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Join handler threads on close, so none outlives its test and writes into the next.
        self._server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self._server.server_port}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


def completion(content: str) -> bytes:
    """An OpenAI chat completion whose answer is `content`: the shape of a server's reply, for
    servers that answer with what no model would (a hostile or broken server)."""
    return json.dumps({
        "id": "fault", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()


@pytest.fixture
def prompt():
    return PromptLibrary().render("brief.j2", articles=[], events=[], aspects=ASPECTS, language_name="English",
                                  latest_articles=[1])


def _recorded_wording() -> dict:
    """The seed brief's wording call as recorded on the embedded model (its cassette)."""
    import yaml

    recorded = yaml.safe_load((REPO / "cassettes" / "test_brief_e2e" / "seed_story_brief.yaml").read_text())
    return next(json.loads(i["response"]["body"]["string"]) for i in recorded["interactions"]
                if i["request"]["uri"].endswith("/chat/completions")
                and "Translate each numbered text" in json.loads(i["request"]["body"])["messages"][1]["content"])


RECORDED_LINES = len(json.loads(_recorded_wording()["choices"][0]["message"]["content"])["lines"])
WORDING = _wording_model(RECORDED_LINES)


def _llm(url: str, timeout: float = 10.0) -> LLM:
    return LLM(Endpoint(base_url=url, model="m", timeout=timeout), url, max_attempts=3, first_wait=0.01)


@pytest.mark.parametrize(("status", "says"), [(500, "HTTP 500"), (503, "HTTP 503"), (429, "429")])
def test_transient_errors_are_retried_then_reported(status, says, prompt):
    server = FaultServer(status)
    try:
        with pytest.raises(ModelUnavailableError, match=says):
            _llm(server.url).structured(prompt, WORDING)
        assert server.requests == 3, "three attempts, and the client's own retries are off"
    finally:
        server.close()


def test_client_errors_are_not_retried(prompt):
    server = FaultServer(401)
    try:
        with pytest.raises(ConfigError, match="API key"):
            _llm(server.url).structured(prompt, WORDING)
        assert server.requests == 1
    finally:
        server.close()


def test_a_stalled_server_times_out_and_retries_stop_after_two_timeouts(prompt):
    """A hung server holds a call for about twice --timeout, however many tries are allowed."""
    server = FaultServer(200, stall=2.0)
    try:
        with pytest.raises(ModelUnavailableError, match="timed out"):
            _llm(server.url, timeout=0.3).yes_probability(prompt)
        assert server.requests == 2, "the third try would start after two timeouts have passed"
    finally:
        server.close()


def test_nothing_listening_is_reported(prompt):
    server = FaultServer(500)
    url = server.url
    server.close()
    with pytest.raises(ModelUnavailableError, match="could not reach"):
        _llm(url).structured(prompt, WORDING)


def test_schema_failures_get_one_reask():
    policy = retry_policy(max_attempts=4, max_reasks=1, first_wait=0.0)
    calls = []
    with pytest.raises(json.JSONDecodeError):
        for attempt in policy:
            with attempt:
                calls.append(1)
                json.loads("{")
    assert len(calls) == 2, "one answer and one re-ask"


class CutOffServer(FaultServer):
    """Answers with the first `keep` characters of a real answer recorded on the embedded model
    (the seed brief's wording call, from its cassette) and finish_reason "length", as a server
    does when the model hits max_tokens mid-answer."""

    def __init__(self, keep: int):
        completion = _recorded_wording()
        completion["choices"][0]["message"]["content"] = completion["choices"][0]["message"]["content"][:keep]
        completion["choices"][0]["finish_reason"] = "length"
        self.answer = completion["choices"][0]["message"]["content"]
        super().__init__(200, body=json.dumps(completion).encode())


def test_an_answer_cut_off_at_max_tokens_keeps_its_complete_items(prompt):
    """No traceback and no re-ask: the complete lines are kept, the cut one is left for the re-ask."""
    server = CutOffServer(keep=600)  # mid-way through a line's text
    try:
        llm = _llm(server.url)
        answer = llm.structured(prompt, WORDING)
        assert isinstance(answer, StructuredFailure) and answer.cut_off
        assert server.requests == 1 and len(llm.calls) == 1
        kept = _worded(answer, RECORDED_LINES)
        assert kept and all(text in server.answer for text in kept.values())
        assert len(kept) < RECORDED_LINES, "the line cut mid-way is not kept"
    finally:
        server.close()


def test_an_answer_cut_off_before_any_item_leaves_every_line_to_the_re_ask(prompt):
    server = CutOffServer(keep=20)
    try:
        answer = _llm(server.url).structured(prompt, WORDING)
        assert isinstance(answer, StructuredFailure) and answer.cut_off
        assert _worded(answer, RECORDED_LINES) == {}
    finally:
        server.close()


@pytest.mark.parametrize("text", [None, "H" * 321, {"text": "x"}, ["a line"]])
def test_a_failed_answer_keeps_no_line_the_schema_refuses(text):
    """After a failed re-ask the last answer is kept only as far as it validates: a null, too
    long or non-string line is not shipped as "None", a repr, or 321+ characters; the lines
    beside it that validate are kept."""
    good = "Emmanuel Bonne met Yuri Ushakov in Moscow on Tuesday."
    raw = json.dumps({"lines": [{"item": 1, "text": text}, {"item": 2, "text": good}]})
    assert _worded(StructuredFailure(raw=raw, error="1 validation error"), 2) == {2: good}
