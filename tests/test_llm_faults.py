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
from storybrief.errors import ConfigError, ModelOutputError, ModelUnavailableError
from storybrief.llm import LLM, Endpoint, StructuredFailure, retry_policy
from storybrief.prompts import PromptLibrary
from storybrief.summarise import BriefDraft, _accept

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
    return PromptLibrary().render("brief.j2", articles=[], language_name="English")


def _llm(url: str, timeout: float = 10.0) -> LLM:
    return LLM(Endpoint(base_url=url, model="m", timeout=timeout), url, max_attempts=3, first_wait=0.01)


@pytest.mark.parametrize(("status", "says"), [(500, "HTTP 500"), (503, "HTTP 503"), (429, "429")])
def test_transient_errors_are_retried_then_reported(status, says, prompt):
    server = FaultServer(status)
    try:
        with pytest.raises(ModelUnavailableError, match=says):
            _llm(server.url).structured(prompt, BriefDraft)
        assert server.requests == 3, "three attempts, and the client's own retries are off"
    finally:
        server.close()


def test_client_errors_are_not_retried(prompt):
    server = FaultServer(401)
    try:
        with pytest.raises(ConfigError, match="API key"):
            _llm(server.url).structured(prompt, BriefDraft)
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
        _llm(url).structured(prompt, BriefDraft)


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
    (the seed brief's first draft, from its cassette) and finish_reason "length", as a server
    does when the model hits max_tokens mid-answer."""

    def __init__(self, keep: int):
        import yaml

        recorded = yaml.safe_load((REPO / "cassettes" / "test_brief_e2e" / "seed_story_brief.yaml").read_text())
        bodies = [json.loads(i["response"]["body"]["string"]) for i in recorded["interactions"]]
        completion = next(b for b in bodies if "choices" in b)  # the first chat answer, not a /tokenize
        completion["choices"][0]["message"]["content"] = completion["choices"][0]["message"]["content"][:keep]
        completion["choices"][0]["finish_reason"] = "length"
        self.answer = completion["choices"][0]["message"]["content"]
        super().__init__(200, body=json.dumps(completion).encode())


def test_an_answer_cut_off_at_max_tokens_keeps_its_complete_items(prompt):
    """No traceback and no re-ask: the complete sentences are kept, the cut one is dropped and
    said to be cut off."""
    server = CutOffServer(keep=1100)  # mid-way through a sentence's text
    try:
        llm = _llm(server.url)
        answer = llm.structured(prompt, BriefDraft)
        assert isinstance(answer, StructuredFailure) and answer.cut_off
        assert server.requests == 1 and len(llm.calls) == 1
        warnings: list[str] = []
        draft = _accept(answer, BriefDraft, "brief", {}, warnings)
        kept = [s.text for section in draft.sections for s in section.sentences]
        assert kept and all(text in server.answer for text in kept)
        assert draft.headline.startswith("French President Emmanuel Macron")
        assert any("cut off" in w for w in warnings), warnings
    finally:
        server.close()


def test_an_answer_cut_off_before_any_item_is_a_one_line_model_error(prompt):
    server = CutOffServer(keep=60)
    try:
        answer = _llm(server.url).structured(prompt, BriefDraft)
        with pytest.raises(ModelOutputError, match="cut off"):
            _accept(answer, BriefDraft, "brief", {}, [])
    finally:
        server.close()


@pytest.mark.parametrize(("headline", "says"), [(None, "headline"), ("H" * 161, "headline"), ({"text": "x"}, "headline")])
def test_a_fallback_draft_keeps_no_headline_the_schema_refuses(headline, says):
    """After a failed re-ask the last answer is kept only as far as it validates: a null, too
    long or non-string headline is not shipped as "None", a repr, or 161+ characters."""
    sentences = [{"cites": ["P1"], "text": "Emmanuel Bonne met Yuri Ushakov in Moscow on Tuesday."}]
    raw = json.dumps({"headline": headline, "sections": [{"lead": "Talks", "sentences": sentences}]})
    with pytest.raises(ModelOutputError, match="never matched the schema"):
        _accept(StructuredFailure(raw=raw, error="1 validation error"), BriefDraft, "brief", {}, [])


def test_a_fallback_section_whose_lead_is_not_text_is_dropped_with_a_warning():
    sentence = {"cites": ["P1"], "text": "Emmanuel Bonne met Yuri Ushakov in Moscow on Tuesday."}
    raw = json.dumps({"headline": "Macron's adviser met a Kremlin aide in Moscow",
                      "sections": [{"lead": {"x": 1}, "sentences": [sentence]}, {"lead": "Talks", "sentences": [sentence]}]})
    warnings: list[str] = []
    draft = _accept(StructuredFailure(raw=raw, error="1 validation error"), BriefDraft, "brief", {}, warnings)
    assert [s.lead for s in draft.sections] == ["Talks"]
    assert any("section 1 dropped" in w and "lead" in w for w in warnings), warnings
