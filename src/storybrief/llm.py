"""All model traffic: the OpenAI-compatible client, structured output, the one retry policy.

This is the only module that imports openai, instructor or tenacity.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception, wait_exponential_jitter

from .embedded import DEFAULT_MODEL, EmbeddedServer, Progress, ServerSettings, ensure_model
from .errors import ConfigError, ContextOverflowError, ModelOutputError, ModelUnavailableError, redact
from .models import CallRecord
from .prompts import RenderedPrompt

T = TypeVar("T", bound=BaseModel)

EMBEDDED_API_KEY = "storybrief-embedded"  # llama.cpp ignores it; the client requires one
# Seconds to wait for one answer. The embedded server on a busy 2-core machine can take
# minutes per call; another endpoint that has said nothing for 5 minutes is taken as hung.
EMBEDDED_TIMEOUT = 900.0
REMOTE_TIMEOUT = 300.0
# Retries of one call stop once this many request timeouts have passed, so a hung server
# holds a command for about twice --timeout, not four times.
TOTAL_TIMEOUTS = 2.0
# No tokenizer makes a token of more characters than this: a longer answer than
# max_tokens x this is not the model's, and is neither parsed nor sent back in a re-ask.
MAX_CHARS_PER_TOKEN = 32
# Counting tokens is a quick local call on a server that has a tokenizer; one that stalls is
# treated as having none rather than holding the brief for a whole request timeout.
TOKENIZE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Endpoint:
    """Where requests go. `embedded` means storybrief serves the model itself."""

    base_url: str | None = None
    model: str = DEFAULT_MODEL.name
    api_key: str | None = None
    timeout: float | None = None  # seconds per request; None: the default for the endpoint's kind

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def request_timeout(self) -> float:
        if self.timeout is not None:
            return self.timeout
        return EMBEDDED_TIMEOUT if self.embedded else REMOTE_TIMEOUT

    @classmethod
    def from_options(
        cls,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
    ) -> Endpoint:
        """Flags win over environment variables; with neither, the embedded model."""
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        model = model or os.environ.get("STORYBRIEF_MODEL") or None
        api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
        if base_url is None and model not in (None, DEFAULT_MODEL.name):
            raise ConfigError(f"model {model!r} needs --base-url (the embedded server only has {DEFAULT_MODEL.name})")
        return cls(
            base_url=base_url,
            model=model or DEFAULT_MODEL.name,
            api_key=api_key,
            timeout=timeout,
        )


@dataclass(frozen=True)
class Sampling:
    """Generation settings. temperature 0 and a fixed seed keep runs repeatable."""

    temperature: float = 0.0
    seed: int = 7


def _is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections are worth another try; 4xx are not."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500
    return False


def _is_schema_failure(exc: BaseException) -> bool:
    return isinstance(exc, (ValidationError, json.JSONDecodeError))


def retry_policy(max_attempts: int = 4, max_reasks: int = 1, first_wait: float = 1.0, max_wait: float = 20.0,
                 max_seconds: float | None = None) -> Retrying:
    """The one retry policy: transient server errors and schema failures, with backoff.

    Schema failures are re-asked by instructor with the validation errors in the messages;
    each re-ask costs a full generation, so they have their own, smaller allowance. No try
    starts after `max_seconds`.
    """
    reasks = 0

    def stop(state) -> bool:
        nonlocal reasks
        if _is_schema_failure(state.outcome.exception()):
            reasks += 1
            if reasks > max_reasks:
                return True
        if max_seconds is not None and state.seconds_since_start >= max_seconds:
            return True
        return state.attempt_number >= max_attempts

    return Retrying(
        retry=retry_if_exception(lambda e: _is_transient(e) or _is_schema_failure(e)),
        stop=stop,
        wait=wait_exponential_jitter(multiplier=first_wait, jitter=first_wait, max=max_wait),
        reraise=True,
    )


class AnswerTooLarge(Exception):
    """The server sent more text than max_tokens allows: a broken or hostile server."""


@dataclass
class StructuredFailure:
    """What the model last said when it never produced a valid answer."""

    raw: str | None
    error: str
    cut_off: bool = False  # stopped at max_tokens rather than re-asked and still invalid


@dataclass
class LLM:
    """A connected model: structured calls, judge calls, and a record of every call."""

    endpoint: Endpoint
    base_url: str
    sampling: Sampling = field(default_factory=Sampling)
    max_attempts: int = 4
    max_reasks: int = 1
    first_wait: float = 1.0
    calls: list[CallRecord] = field(default_factory=list)
    http_client: Any = None  # an httpx2.Client with its own transport (digest's Batch API requests)
    _token_counts: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _has_tokenizer: bool = field(default=True, init=False, repr=False)

    def __post_init__(self) -> None:
        # The client's own retries are off: the tenacity policy is the only one.
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=self.endpoint.api_key or EMBEDDED_API_KEY,
            max_retries=0,
            timeout=self.endpoint.request_timeout,
            http_client=self.http_client,
        )
        # Checked before instructor parses an answer or sends it back in a re-ask.
        completions = self._client.chat.completions
        completions.create = _size_checked(completions.create)  # type: ignore[method-assign]
        self._structured = instructor.from_openai(self._client, mode=instructor.Mode.JSON_SCHEMA)

    def _policy(self) -> Retrying:
        return retry_policy(self.max_attempts, self.max_reasks, self.first_wait,
                            max_seconds=TOTAL_TIMEOUTS * self.endpoint.request_timeout)

    def _extra_body(self) -> dict[str, Any] | None:
        if "api.openai.com" in self.base_url:
            return None  # OpenAI rejects unknown request fields
        # llama.cpp extension: reuse the cached article prefix across calls. No repeat
        # penalty: it pushed the small model from a just-used English word to a Chinese
        # synonym mid-sentence; repeats are caught by the validators instead.
        return {"cache_prompt": True}

    def _request_options(self, max_tokens: int) -> dict[str, Any]:
        options: dict[str, Any] = {
            "model": self.endpoint.model,
            "temperature": self.sampling.temperature,
            "seed": self.sampling.seed,
            "max_tokens": max_tokens,
        }
        extra = self._extra_body()
        if extra:
            options["extra_body"] = extra
        return options

    def structured(
        self,
        prompt: RenderedPrompt,
        response_model: type[T],
        *,
        context: dict[str, Any] | None = None,
        max_tokens: int = 1500,
    ) -> T | StructuredFailure:
        """Ask for `response_model`; validators see `context`; failures are re-asked.

        Returns a StructuredFailure (with the last raw answer) when every attempt was
        schema-invalid, so the caller can repair rather than lose the work.
        """
        policy = self._policy()
        started = time.perf_counter()
        try:
            result, completion = self._structured.chat.completions.create_with_completion(
                messages=_chat(prompt),
                response_model=response_model,
                context=context,
                max_retries=policy,
                **self._request_options(max_tokens),
            )
        except IncompleteOutputException as exc:
            # Cut off at max_tokens (the small model sometimes loops): instructor does not
            # re-ask, and a re-ask carrying the whole answer could overflow the window. The
            # caller keeps the items that are complete.
            completion = exc.last_completion
            self._record(prompt, time.perf_counter() - started, getattr(completion, "usage", None),
                         policy.statistics.get("attempt_number", 1))
            return StructuredFailure(raw=_completion_text(completion),
                                     error=f"the answer was cut off at the {max_tokens}-token limit", cut_off=True)
        except InstructorRetryException as exc:
            cause = exc.__cause__ or exc
            self._record(prompt, time.perf_counter() - started, exc.total_usage, exc.n_attempts)
            if _is_schema_failure(cause):
                raw = _completion_text(exc.last_completion)
                return StructuredFailure(raw=raw, error=str(cause))
            raise _as_storybrief_error(cause, self.endpoint.api_key) from cause
        except (openai.OpenAIError, AnswerTooLarge) as exc:
            raise _as_storybrief_error(exc, self.endpoint.api_key) from exc
        attempts = policy.statistics.get("attempt_number", 1)
        self._record(prompt, time.perf_counter() - started, getattr(completion, "usage", None), attempts)
        return result

    def yes_probability(self, prompt: RenderedPrompt) -> float:
        """P(yes) / (P(yes) + P(no)) from the first answer token's log-probabilities."""
        policy = self._policy()
        started = time.perf_counter()
        options = self._request_options(max_tokens=1)
        try:
            for attempt in policy:
                with attempt:
                    completion = self._client.chat.completions.create(
                        messages=_chat(prompt), logprobs=True, top_logprobs=10, **options
                    )
        except (openai.OpenAIError, AnswerTooLarge) as exc:
            raise _as_storybrief_error(exc, self.endpoint.api_key) from exc
        self._record(prompt, time.perf_counter() - started, completion.usage,
                     policy.statistics.get("attempt_number", 1))
        return _yes_share(completion)

    def count_tokens(self, text: str) -> int | None:
        """`text`'s length in the serving model's own tokens (llama.cpp's POST /tokenize), or
        None when the endpoint has no tokenizer to ask; then the caller estimates.

        Counting never fails a brief: an endpoint that answers /tokenize with an error is
        taken to have no tokenizer, and the re-fit on a context-length error covers the rest.
        """
        if not self._has_tokenizer:
            return None
        if text in self._token_counts:
            return self._token_counts[text]
        try:
            answer = self._client.post(_server_root(self.base_url) + "/tokenize", body={"content": text},
                                       cast_to=object, options={"timeout": TOKENIZE_TIMEOUT_SECONDS})
        except openai.OpenAIError as exc:
            logging.getLogger("storybrief").info("no tokenizer at %s (%s): estimating token counts",
                                                 redact(self.base_url), _short(str(exc), limit=80))
            self._has_tokenizer = False
            return None
        tokens = answer.get("tokens") if isinstance(answer, dict) else None
        if not isinstance(tokens, list):
            self._has_tokenizer = False
            return None
        self._token_counts[text] = len(tokens)
        return len(tokens)

    def _record(self, prompt: RenderedPrompt, seconds: float, usage: Any, attempts: int) -> None:
        self.calls.append(
            CallRecord(
                prompt_name=prompt.name,
                prompt_hash=prompt.hash,
                model=self.endpoint.model,
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                cached_tokens=getattr(getattr(usage, "prompt_tokens_details", None), "cached_tokens", None),
                seconds=round(seconds, 3),
                attempts=attempts,
                cost=_reported_cost(usage),
            )
        )


def _reported_cost(usage: Any) -> float | None:
    """Some endpoints (OpenRouter, LiteLLM proxies) report what a call cost; OpenAI does not."""
    cost = getattr(usage, "cost", None)
    if cost is None and isinstance(getattr(usage, "model_extra", None), dict):
        cost = usage.model_extra.get("cost")
    return float(cost) if isinstance(cost, (int, float)) else None


def _chat(prompt: RenderedPrompt) -> list[ChatCompletionMessageParam]:
    """The prompt's messages as the client types them (prompts.py stays free of openai)."""
    chat: list[ChatCompletionMessageParam] = []
    for message in prompt.messages:
        if message["role"] == "system":
            chat.append({"role": "system", "content": message["content"]})
        else:
            chat.append({"role": "user", "content": message["content"]})
    return chat


def _completion_text(completion: Any) -> str | None:
    try:
        return completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None


def _yes_share(completion: Any) -> float:
    try:
        candidates = completion.choices[0].logprobs.content[0].top_logprobs
    except (AttributeError, IndexError, TypeError) as exc:
        raise ModelOutputError("the server returned no log-probabilities; the judge needs them") from exc
    yes = no = 0.0
    for candidate in candidates:
        word = candidate.token.strip().lower()
        if word in ("yes", "oui"):
            yes += math.exp(candidate.logprob)
        elif word in ("no", "non"):
            no += math.exp(candidate.logprob)
    if yes + no == 0.0:
        return 0.5
    return yes / (yes + no)


def _size_checked(create: Any) -> Any:
    def checked(*args: Any, **kwargs: Any) -> Any:
        completion = create(*args, **kwargs)
        limit = max(4096, MAX_CHARS_PER_TOKEN * int(kwargs.get("max_tokens") or 4096))
        size = len(_completion_text(completion) or "")
        if size > limit:
            raise AnswerTooLarge(f"the model server sent a {size:,}-character answer, more than "
                                 f"{kwargs.get('max_tokens')} tokens can be; it was not used")
        return completion

    return checked


def _server_root(base_url: str) -> str:
    """llama.cpp serves /tokenize beside /v1, not under it."""
    return re.sub(r"/v1/?$", "", base_url.rstrip("/"))


# llama.cpp: "request (9509 tokens) exceeds the available context size (8192 tokens)";
# OpenAI: "maximum context length is 8192 tokens. However, your messages resulted in 9509 tokens".
_LLAMA_OVERFLOW = re.compile(r"\((\d+) tokens\) exceeds the available context size \((\d+) tokens\)")
_OPENAI_OVERFLOW = re.compile(r"maximum context length is (\d+) tokens.*?resulted in (\d+) tokens", re.S)


def _context_overflow(exc: BaseException) -> ContextOverflowError | None:
    """The request was too long for the model's window, as any endpoint words it."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 413):
        return None
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body.get("error", body), dict) else body
    message = f"{exc.message} {json.dumps(body)}"
    overflow = (error.get("code") == "context_length_exceeded" or error.get("type") == "exceed_context_size_error"
                or "exceeds the available context size" in message or "maximum context length" in message)
    if not overflow:
        return None
    requested = available = None
    if match := _LLAMA_OVERFLOW.search(message):
        requested, available = int(match.group(1)), int(match.group(2))
    elif match := _OPENAI_OVERFLOW.search(message):
        available, requested = int(match.group(1)), int(match.group(2))
    else:
        requested, available = error.get("n_prompt_tokens"), error.get("n_ctx")
    sizes = f" ({requested} tokens for a {available}-token window)" if requested and available else ""
    return ContextOverflowError(f"the request did not fit the model's context window{sizes}",
                                requested=requested, available=available)


def _as_storybrief_error(exc: BaseException, api_key: str | None = None) -> Exception:
    if isinstance(exc, AnswerTooLarge):
        return ModelOutputError(str(exc))
    if overflow := _context_overflow(exc):
        return overflow
    if isinstance(exc, openai.APITimeoutError):
        return ModelUnavailableError("the model server timed out")
    if isinstance(exc, openai.APIConnectionError):
        return ModelUnavailableError(f"could not reach the model server: {_short(str(exc), api_key)}")
    if isinstance(exc, openai.RateLimitError):
        return ModelUnavailableError("the model server kept answering 429 (rate limited)")
    if isinstance(exc, openai.AuthenticationError):
        return ConfigError("the model server rejected the API key (401)")
    if isinstance(exc, openai.APIStatusError):
        return ModelUnavailableError(f"the model server answered HTTP {exc.status_code}: {_short(exc.message, api_key)}")
    return ModelUnavailableError(f"model call failed: {_short(str(exc), api_key)}")


def _short(text: str, api_key: str | None = None, limit: int = 200) -> str:
    """One line of a server's message, credentials redacted (some servers echo the request)."""
    text = " ".join(redact(str(text), api_key).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def connect(
    endpoint: Endpoint,
    *,
    sampling: Sampling | None = None,
    progress: Progress | None = None,
    max_reasks: int = 1,
) -> Iterator[LLM]:
    """Yield an LLM for `endpoint`; for the embedded default, serve the model for the duration."""
    if endpoint.base_url is not None:
        yield LLM(endpoint, endpoint.base_url, sampling or Sampling(), max_reasks=max_reasks)
        return
    model_path = ensure_model(progress=progress)
    settings = ServerSettings(verbose=logging.getLogger("storybrief").isEnabledFor(logging.INFO))
    with EmbeddedServer(model_path, settings) as server:
        yield LLM(endpoint, server.base_url, sampling or Sampling(), max_reasks=max_reasks)


def run_remote_batch(endpoint: Endpoint, requests_file, *, poll_seconds: float = 30.0,
                     timeout_seconds: float = 86400.0) -> str:
    """Upload a Batch API requests file to `endpoint`, create the batch, poll it until it ends,
    and return its output file's JSONL text (errored requests are left out of it)."""
    if endpoint.embedded:
        raise ConfigError("--batch needs --base-url: an endpoint with a Batch API (the embedded server has none)")
    client = openai.OpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key or EMBEDDED_API_KEY,
                           max_retries=3, timeout=endpoint.request_timeout)
    try:
        with open(requests_file, "rb") as handle:
            uploaded = client.files.create(file=handle, purpose="batch")
        batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions",
                                      completion_window="24h")
        deadline = time.monotonic() + timeout_seconds
        while batch.status not in ("completed", "failed", "expired", "cancelled"):
            if time.monotonic() > deadline:
                raise ModelUnavailableError(f"batch {batch.id} still {batch.status} after {timeout_seconds:.0f} s")
            time.sleep(poll_seconds)
            batch = client.batches.retrieve(batch.id)
        if batch.status != "completed" or not batch.output_file_id:
            raise ModelUnavailableError(f"batch {batch.id} ended {batch.status} with no output file")
        return client.files.content(batch.output_file_id).text
    except openai.NotFoundError as exc:
        raise ConfigError(f"{endpoint.base_url} has no Batch API (404); use --batch-out and run the file elsewhere") from exc
    except openai.OpenAIError as exc:
        raise _as_storybrief_error(exc) from exc
