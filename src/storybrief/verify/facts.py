"""The facts a claim states, read deterministically: names, numbers, dates, content words;
and how to find them in sources, across languages ("Syria" is "Syrie", "Gaddafi" is
"Kadhafi", "1 000" is "1,000")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Sequence

from storybrief.text import ALL_STOP_WORDS, fold, month_number, name_forms, number_keys, same_name, weekday_number, words

__all__ = [
    "names_in",
    "numbers_in",
    "vocabulary",
    "numbers_of",
    "name_present",
    "same_name",
    "content_stems",
    "date_contains",
    "date_match",
    "precision_of",
    "to_date",
    "close_dates",
    "say_date",
]


def names_in(text: str) -> list[str]:
    """Capitalised words that are not the sentence's first word, stop words or dates (folded)."""
    names: list[str] = []
    tokens = list(re.finditer(r"[\w’'‑-]+", text))
    for idx, m in enumerate(tokens):
        raw = re.sub(r"[’']s$", "", m.group(0)).strip("’'‑-")
        if not raw or idx == 0:
            continue
        prev = text[max(0, m.start() - 2):m.start()]
        if re.search(r"[.!?:“\"]\s*$", prev):
            continue  # sentence or quote start
        if not (raw[0].isupper() or (raw.isupper() and len(raw) > 1)):
            continue
        for part in re.split(r"[‑-]", raw):
            f = fold(part)
            if len(f) < 2 or f in ALL_STOP_WORDS or month_number(f) or weekday_number(f) is not None or f.isdigit():
                continue
            if f not in names:
                names.append(f)
    return names


def numbers_in(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Numbers written in digits and clock times, outside the given spans (the date
    expressions) and other than years, normalised ("1 000" = "1,000" = "1000")."""
    return sorted(number_keys(text, skip=skip, years=False, spelled=False))


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    vocab: set[str] = set()
    for t in texts:
        vocab.update(words(t))
    return frozenset(vocab)


def numbers_of(texts: Sequence[str]) -> frozenset[str]:
    """Every number the texts give, in digits or in words."""
    return frozenset().union(*(number_keys(t) for t in texts)) if texts else frozenset()


def name_present(name: str, vocab: frozenset[str]) -> bool:
    """True when the sources' vocabulary has the name in some form (see :func:`same_name`)."""
    if name in vocab:
        return True
    # The vocabulary splits words at apostrophes (elisions: "l'armée"), so "Ta'izz" is there
    # as "ta" and "izz".
    parts = [part for part in re.split(r"['’]", name) if part]
    if len(parts) > 1 and all(part in vocab for part in parts):
        return True
    return any(same_name(name, w) for w in vocab if w[:1] == name[:1] or w in name_forms(name))


def content_stems(text: str) -> frozenset[str]:
    """Content-word stems (first five letters) of a text: enough to tell which passages talk
    about the same event, across inflections (meet/meets, Russia/Russian)."""
    return frozenset(w[:5] for w in words(text) if len(w) > 3 and w not in ALL_STOP_WORDS and not w.isdigit())


def date_contains(outer_iso: str, inner_iso: str) -> bool:
    """True when inner (e.g. 2026-02-03) lies inside outer (e.g. 2026-02)."""
    return inner_iso.startswith(outer_iso)


def date_match(claim_iso: str, claim_precision: str, evidence_iso: str) -> str | None:
    """'exact' (same date, or an evidence day inside a claimed month/year), 'coarser'
    (the evidence gives only the month/year the claimed day lies in), else None."""
    if claim_iso == evidence_iso or date_contains(claim_iso, evidence_iso):
        return "exact"
    if date_contains(evidence_iso, claim_iso):
        return "coarser"
    return None


def precision_of(iso: str) -> str:
    return {10: "day", 7: "month"}.get(len(iso), "year")


def to_date(iso: str) -> dt.date:
    parts = [int(x) for x in iso.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def close_dates(a_iso: str, b_iso: str, days: int) -> bool:
    """Two dates of the same precision near enough to be the same event misdated."""
    if precision_of(a_iso) != "day" or precision_of(b_iso) != "day":
        return False  # "December" against "earlier this week" is too loose to call a contradiction
    return abs((to_date(a_iso) - to_date(b_iso)).days) <= days


def say_date(iso: str) -> str:
    from storybrief.render import format_event_date

    return format_event_date(iso, precision_of(iso))
