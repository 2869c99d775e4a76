"""Split a source's cleaned text into citable passages with stable, content-based ids.

Sentences come from :func:`storybrief.text.sentence_spans`, the splitter every stage
shares (fast, no model). Very short fragments merge into a neighbour; very
long sentences are cut at a clause boundary. Offsets always satisfy
`source.text[p.start:p.end] == p.text`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from storybrief.dates import resolve_dates
from storybrief.models import Passage, Source
from storybrief.text import sentence_spans

__all__ = ["split_passages", "MIN_PASSAGE_CHARS", "MAX_PASSAGE_CHARS"]

MIN_PASSAGE_CHARS = 30
MAX_PASSAGE_CHARS = 600
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


def _merge_short(spans: list[tuple[int, int]], minimum: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and (e - s < minimum or merged[-1][1] - merged[-1][0] < minimum):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _split_long(text: str, span: tuple[int, int], maximum: int) -> list[tuple[int, int]]:
    s, e = span
    pieces: list[tuple[int, int]] = []
    while e - s > maximum:
        window = text[s:s + maximum]
        cut = -1
        for separator in ("; ", ": ", ", ", " "):
            cut = window.rfind(separator, maximum // 2)
            if cut > 0:
                cut += len(separator.rstrip())
                break
        if cut <= 0:
            cut = maximum
        pieces.append((s, s + cut))
        s += cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        pieces.append((s, e))
    return pieces


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def split_passages(source: Source, base: dt.date | None) -> list[Passage]:
    """The source's passages in text order, each with its dates resolved against `base`."""
    text = source.text
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        sentences = _merge_short(sentence_spans(text, paragraph.start(), paragraph.end()), MIN_PASSAGE_CHARS)
        for span in sentences:
            spans.extend(_split_long(text, span, MAX_PASSAGE_CHARS))
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    prefix = source.id[:6]
    for index, (s, e) in enumerate(spans):
        body = text[s:e]
        digest = hashlib.sha1(_normalise(body).encode("utf-8")).hexdigest()[:8]
        pid = f"{prefix}-{digest}"
        seen[pid] = seen.get(pid, 0) + 1
        if seen[pid] > 1:
            pid = f"{pid}-{seen[pid]}"  # a repeated sentence: numbered by order of appearance
        passages.append(
            Passage(
                id=pid,
                source_id=source.id,
                index=index,
                start=s,
                end=e,
                text=body,
                dates=resolve_dates(body, base, source.language),
            )
        )
    return passages
