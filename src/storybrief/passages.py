"""Split a source's cleaned text into citable passages with stable, content-based ids.

Sentences are found with a regular expression and an abbreviation list (fast, no model):
a boundary is sentence-final punctuation, optional closing quotes, whitespace, then
something that can open a sentence. Very short fragments merge into a neighbour; very
long sentences are cut at a clause boundary. Offsets always satisfy
`source.text[p.start:p.end] == p.text`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from functools import lru_cache

from storybrief.dates import resolve_dates
from storybrief.models import Passage, Source

__all__ = ["split_passages", "sentence_spans", "content_words", "fold", "MIN_PASSAGE_CHARS", "MAX_PASSAGE_CHARS"]

MIN_PASSAGE_CHARS = 30
MAX_PASSAGE_CHARS = 600

# Words that end with a period without ending a sentence (compared lowercased, no period).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st sr jr gen col lt sgt capt cmdr adm gov sen rep rev hon pres vs etc
    no nos vol fig approx est dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue wed thu fri sat sun u.s u.k u.n e.u u.s.a a.m p.m i.e e.g cf al ca
    m mm mme mmes mlle mgr me dr pr av bd janv févr fevr avr juil déc env cie éd ex
    """.split()
)
# A candidate boundary: terminal punctuation, closing quotes/brackets, whitespace, and an opener.
_BOUNDARY = re.compile(
    r"(?P<punct>[.!?…]+)(?P<close>[\"”»’)\]]*(?:\s+[»”])?)(?P<space>\s+)(?=[«\"“‘(\[]?\s*[A-ZÀ-ÝÉÈ0-9])"
)
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


# Function words of English and French news text, folded: they say nothing of what a
# passage is about.
_STOPWORDS = frozenset(
    """
    the and for that with this from have has had were was are been will would their they them there these those
    which what when where while about after before into over under than then also more most some such only other
    said says told just very even much many made make like could should shall being does did not but its his her
    hers our your who whom whose whether because since until upon onto off out all any each both few own same
    dans pour avec sans sous cette ces son ses leur leurs nous vous ils elles elle mais donc ainsi alors
    aussi comme plus moins tres tout tous toute toutes autre autres entre vers chez dont etre avoir fait faire
    sont etait etaient avait avaient sera seront aura auront selon apres avant depuis pendant lors encore deja
    meme memes quand comment pourquoi quel quelle quels quelles celui celle ceux celles lequel laquelle
    notamment egalement toujours jamais rien personne chaque plusieurs certains certaines peut peuvent
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?", re.UNICODE)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lowercase without accents: "Yémen" and "yemen" are one word."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def content_words(text: str) -> frozenset[str]:
    """The folded words of `text` that carry content: no function words, no short words
    (an elided "l'" or "d'" is cut off); numbers are kept."""
    words = set()
    for raw in _WORD.findall(text):
        word = fold(re.sub(r"^[a-z]['’]", "", raw, flags=re.I))
        if word[:1].isdigit() or (len(word) >= 4 and word not in _STOPWORDS):
            words.add(word)
    return frozenset(words)


def _is_abbreviation(text: str, dot_index: int) -> bool:
    """True when the period at `dot_index` closes an abbreviation or an initial."""
    match = _TOKEN_BEFORE.search(text, max(0, dot_index - 40), dot_index)
    if not match:
        return False
    token = match.group(1).lstrip("([«\"“‘'")
    word = token.lower().rstrip(".")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Macron"
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return True  # dotted acronyms: u.s, e.u
    return False


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        punct = match.group("punct")
        if punct == "." and _is_abbreviation(text, match.start("punct")):
            continue
        cut = match.start("space")
        spans.append((cursor, cut))
        cursor = match.end("space")
    spans.append((cursor, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


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
