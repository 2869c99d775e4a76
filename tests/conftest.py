"""Shared fixtures. Keep this small: module-specific fixtures belong in their test files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"
SHARED = REPO.parent / "shared"  # CI clones the repo with shared/ beside it
SHARED_STORIES = SHARED / "data" / "stories"
CASSETTES = REPO / "cassettes"


def needs(path: Path):
    """Skip a test whose data under ../shared is absent (a clone without shared/ beside it)."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} absent (no shared/ beside the checkout)")

# Recorded model traffic is matched on what was asked, never on where: the embedded
# server listens on a different port every run.
MATCH_ON = ["method", "scheme", "path", "query", "body"]
SECRET_HEADERS = ("authorization", "api-key", "openai-organization", "openai-project", "cookie", "set-cookie")


def _scrub_request(request):
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS or name.lower().startswith("x-stainless"):
            del request.headers[name]
    return request


def _scrub_response(response):
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    return response


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "match_on": MATCH_ON,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The four seed articles of the Bonne-in-Moscow story (000, 002, 003, 004)."""
    return SEED_ARTICLES


@pytest.fixture(scope="session")
def seed_story():
    """The seed story built once per session (read, clean, dedupe, passages)."""
    from storybrief.sources import build_story

    return build_story([SEED_ARTICLES])


# A replayed request never leaves the process; the port is one nothing listens on.
REPLAY_URL = "http://127.0.0.1:9/v1"


def recording(config) -> bool:
    return config.getoption("--record-mode") not in (None, "none")


@pytest.fixture(scope="module")
def llm_session(request):
    """The embedded model when recording; otherwise a client whose traffic a cassette answers.

    Module-scoped, so the server is up (and its health checks done) before a cassette opens.
    """
    from storybrief.llm import LLM, Endpoint, connect

    if recording(request.config):
        with connect(Endpoint()) as live:
            yield live
    else:
        yield LLM(Endpoint(base_url=REPLAY_URL), REPLAY_URL)
