"""Shared fixtures. Keep this small: module-specific fixtures belong in their test files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"
SHARED_STORIES = Path("/work/shared/data/stories")


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The four seed articles of the Bonne-in-Moscow story (000, 002, 003, 004)."""
    return SEED_ARTICLES


@pytest.fixture(scope="session")
def seed_story():
    """The seed story built once per session (read, clean, dedupe, passages)."""
    from storybrief.sources import build_story

    return build_story([SEED_ARTICLES])
