"""Read a brief written elsewhere: plain text or Markdown in the aggregator layout of seed 001.

The layout, top to bottom: feed chrome ("Top Headlines", "Feeds"); the headline; "Updated
(N articles)"; image captions (indented bullet lines, "Image: ...", "... Source Full size");
sections, each a bold lead phrase followed by a paragraph whose sentences carry ``[n]``
markers; "Sources"; "Timeline", one entry a line (``Dec 20, 2025 – text[4]``, ``Dec 2025 –
...``, ``Jan 2026 (early) – ...``); "All related articles (N articles)".

In the plain-text form the bold is lost and the lead phrase runs into the first sentence
("... Low-Profile Emmanuel Bonne, head of ..."). The lead is then recovered as the run of
capitalised words the paragraph opens with, cut before the sentence's own subject (see
``_split_lead``); the cut is a heuristic and the report shows the lead it used.

Nothing is dropped silently: every line that is neither chrome, a section, a source line nor
a timeline entry is returned in ``ParsedBrief.unparsed`` with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from storybrief.text import month_number, month_pattern, sentence_spans

__all__ = ["ParsedSentence", "ParsedSection", "ParsedTimelineEntry", "ParsedBrief", "parse_brief_text", "parse_event_date"]


@dataclass
class ParsedSentence:
    text: str  # the sentence without its markers
    markers: list[int]
    line: int  # 1-based line of the paragraph it came from


@dataclass
class ParsedSection:
    lead: str
    sentences: list[ParsedSentence]
    line: int


@dataclass
class ParsedTimelineEntry:
    date_text: str
    iso: str
    precision: str  # day | month | year
    qualifier: str | None  # "early", "late", "mid" ...
    text: str
    markers: list[int]
    line: int


@dataclass
class ParsedBrief:
    headline: str | None
    sections: list[ParsedSection]
    timeline: list[ParsedTimelineEntry]
    source_lines: list[tuple[int, str]] = field(default_factory=list)
    chrome: list[tuple[int, str]] = field(default_factory=list)
    unparsed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason)
    declared_articles: int | None = None


# --------------------------------------------------------------------------- markers

_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_MARKER_RUN = re.compile(r"(?:\s*\[\d{1,3}\])+")


def _take_markers(text: str) -> tuple[str, list[int]]:
    """The text without its ``[n]`` markers, and the markers in order (deduplicated)."""
    markers: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in markers:
            markers.append(n)
    clean = _MARKER_RUN.sub("", text)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
    return re.sub(r"\s+", " ", clean).strip(), markers


# --------------------------------------------------------------------------- dates

# English or French month names, full or abbreviated: "Feb. 3, 2026", "3 février 2026".
_MONTH_RE = f"(?:{month_pattern('en', abbreviations=True)}|{month_pattern('fr', abbreviations=True)})"
_DATE_FORMS = (
    re.compile(rf"^(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th|er)?,?\s+(?P<y>\d{{4}})", re.I),
    re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?P<m>{_MONTH_RE}),?\s+(?P<y>\d{{4}})", re.I),
    re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})"),
    re.compile(rf"^(?P<m>{_MONTH_RE}),?\s+(?P<y>\d{{4}})", re.I),
    re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{2})(?!\d)"),
    re.compile(r"^(?P<y>\d{4})(?!\d)"),
)
_QUALIFIER = re.compile(r"^\s*\((?P<q>[^)]{1,30})\)")
_DASH = re.compile(r"^\s*[–—-]+\s*")


def parse_event_date(text: str) -> tuple[str, str, str, int] | None:
    """A timeline date at the start of `text`: (iso, precision, date text, end offset)."""
    for form in _DATE_FORMS:
        m = form.match(text)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["y"])
        month = groups.get("mn")
        month_no = int(month) if month else (month_number(groups["m"]) if groups.get("m") else None)
        day = int(groups["d"]) if groups.get("d") else None
        if day is not None and month_no:
            try:
                return dt.date(year, month_no, day).isoformat(), "day", m.group(0), m.end()
            except ValueError:
                return None
        if month_no:
            if not 1 <= month_no <= 12:
                return None
            return f"{year:04d}-{month_no:02d}", "month", m.group(0), m.end()
        return f"{year:04d}", "year", m.group(0), m.end()
    return None


def _timeline_entry(line: str, lineno: int) -> ParsedTimelineEntry | str:
    """A timeline line, or the reason it is not one."""
    stripped = line.strip().lstrip("-*•").strip()
    stripped = re.sub(r"^\*\*(.+?)\*\*", r"\1", stripped)  # **Dec 20, 2025** – ...
    date = parse_event_date(stripped)
    if date is None:
        return "no date at the start of the line"
    iso, precision, date_text, end = date
    rest = stripped[end:]
    qualifier = None
    q = _QUALIFIER.match(rest)
    if q:
        qualifier = q.group("q").strip()
        date_text += f" ({qualifier})"
        rest = rest[q.end():]
    dash = _DASH.match(rest)
    if not dash:
        rest = rest.lstrip(":").strip()
        if not rest:
            return "a date with no event text"
    else:
        rest = rest[dash.end():]
    text, markers = _take_markers(rest)
    if not text:
        return "a date with no event text"
    return ParsedTimelineEntry(date_text=date_text, iso=iso, precision=precision, qualifier=qualifier,
                               text=text, markers=markers, line=lineno)


# --------------------------------------------------------------------------- leads

# Lower-case words a title-case lead phrase may contain.
_LEAD_SMALL = frozenset("a an and as at by for from in into of on or over the to vs with without".split())
# Capitalised words that open a sentence rather than continue a lead phrase.
_OPENERS = frozenset(
    """During The In On After Before While As According A An Its This These Those That Since When
    Although Despite Following Meanwhile However Earlier Later Last Next Officials Sources""".split()
)
# Titles that belong to the name after them ("President Macron").
_TITLES = frozenset(
    """President Prime Minister Foreign Secretary Chancellor General Kremlin French Russian
    Ukrainian US U.S. Mr Mrs Ms Dr Sir Queen King Pope Senator Governor Mayor""".split()
)
_TOKEN = re.compile(r"\S+")


def _is_cap(word: str) -> bool:
    core = word.strip("“”\"'‘’(),.:;")
    return bool(core) and (core[0].isupper() or core[0].isdigit())


def _split_lead(paragraph: str) -> tuple[str, str]:
    """(lead, body) of a plain-text section paragraph whose bold lead phrase was lost.

    The lead is the run of capitalised words (and small words like "and", "of") the
    paragraph opens with. The body starts at an opener word inside that run ("During"),
    else at the sentence's subject: the last one or two capitalised words of the run, with a
    title before them ("President Macron"). Runs shorter than three words are not leads.
    """
    tokens = list(_TOKEN.finditer(paragraph))
    run: list[re.Match] = []
    ended_by_punct = False
    for tok in tokens:
        word = tok.group(0)
        if _MARKER.fullmatch(word):
            break
        if _is_cap(word) or word in _LEAD_SMALL:
            run.append(tok)
            if word[-1] in ",.:;":
                ended_by_punct = True
                break
            continue
        break
    if not run:
        return "", paragraph
    # A lead ends at a capitalised word; trailing small words belong to the sentence.
    while run and not _is_cap(run[-1].group(0)):
        run.pop()
    if len(run) < 4:
        return "", paragraph
    cut = None
    for i in range(2, len(run)):
        if run[i].group(0) in _OPENERS:
            cut = i
            break
    if cut is None:
        cut = len(run) - (2 if len(run) >= 5 else 1)
        if ended_by_punct or cut < len(run):
            # the subject: two capitalised words (a first name and a surname), or one after a title
            if cut - 1 >= 2 and run[cut - 1].group(0) in _TITLES:
                cut -= 1
        if run[cut].group(0).lower() in _LEAD_SMALL:
            cut += 1
    if cut < 2:
        return "", paragraph
    lead = paragraph[: run[cut - 1].end()].strip()
    body = paragraph[run[cut].start():].strip()
    return lead, body


# --------------------------------------------------------------------------- the layout

_CHROME = re.compile(
    r"^(?:top headlines|feeds|share|advertisement|image:.*|.*\bsource full size|none|photo:.*|credit:.*)$", re.I
)
_UPDATED = re.compile(r"^updated\b.*?\((\d+)\s+articles?\)", re.I)
_RELATED = re.compile(r"^all related articles\b(?:\s*\((\d+)\s+articles?\))?", re.I)
_HEADING = re.compile(r"^#{1,6}\s*(.+?)\s*#*$")
_BOLD_LEAD = re.compile(r"^\*\*(?P<lead>[^*]+?)\*\*[\s:.–-]*(?P<body>.*)$", re.S)
_MD_INLINE = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def _plain(line: str) -> str:
    return _MD_INLINE.sub("", line).strip()


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Paragraphs: runs of non-blank lines, with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = i
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _section_from(block_text: str, lineno: int, lead: str | None) -> ParsedSection | None:
    body = block_text
    if lead is None:
        lead, body = _split_lead(block_text)
    sentences: list[ParsedSentence] = []
    for s, e in sentence_spans(body):
        text, markers = _take_markers(body[s:e])
        if text:
            sentences.append(ParsedSentence(text=text, markers=markers, line=lineno))
    if not sentences:
        return None
    return ParsedSection(lead=lead, sentences=sentences, line=lineno)


def parse_brief_text(text: str) -> ParsedBrief:
    """Parse a brief in the aggregator layout (plain text or Markdown)."""
    text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]", " ", text)  # no-break and thin spaces
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    brief = ParsedBrief(headline=None, sections=[], timeline=[])
    part = "top"  # top -> body -> sources -> timeline -> end
    for lineno, block in _blocks(lines):
        first = block[0]
        heading = _HEADING.match(first.strip())
        first_plain = _plain(heading.group(1) if heading else first)
        key = first_plain.strip().rstrip(":").lower()
        if len(block) == 1 and key in ("sources", "references"):
            part = "sources"
            continue
        if len(block) == 1 and key in ("timeline", "chronology"):
            part = "timeline"
            continue
        related = _RELATED.match(first_plain)
        if related:
            brief.declared_articles = brief.declared_articles or (int(related.group(1)) if related.group(1) else None)
            brief.chrome.append((lineno, first_plain))
            part = "end"
            continue
        updated = _UPDATED.match(first_plain)
        if updated:
            brief.declared_articles = int(updated.group(1))
            brief.chrome.append((lineno, first_plain))
            for offset, line in enumerate(block[1:], start=1):  # image captions under it
                brief.chrome.append((lineno + offset, line.strip()))
            part = "body"
            continue
        if part in ("top", "body") and all(
            line.startswith((" ", "\t")) or _CHROME.match(_plain(line).lstrip("•*- ").strip()) for line in block
        ):
            brief.chrome.extend((lineno + i, line.strip()) for i, line in enumerate(block))
            continue
        if part == "top":
            joined = " ".join(_plain(line) for line in block)
            if brief.headline is None and not _MARKER.search(joined) and len(joined) < 200:
                brief.headline = (heading.group(1) if heading else joined).strip()
                continue
            part = "body"
        if part == "timeline":
            for offset, line in enumerate(block):
                entry = _timeline_entry(_plain(line) if "**" not in line else line, lineno + offset)
                if isinstance(entry, str):
                    brief.unparsed.append((lineno + offset, line.strip(), f"timeline: {entry}"))
                else:
                    brief.timeline.append(entry)
            continue
        if part == "sources":
            brief.source_lines.extend((lineno + i, _plain(line)) for i, line in enumerate(block))
            continue
        if part == "end":
            brief.chrome.extend((lineno + i, line.strip()) for i, line in enumerate(block))
            continue
        # body: a section
        raw = " ".join(line.strip() for line in block)
        lead: str | None = None
        bold = _BOLD_LEAD.match(raw)
        if bold:
            lead, raw = bold.group("lead").strip().rstrip(":."), bold.group("body")
        elif heading:
            lead, raw = first_plain, " ".join(line.strip() for line in block[1:])
        elif len(block) > 1 and not _MARKER.search(block[0]) and len(block[0]) < 120 and not block[0].rstrip().endswith("."):
            lead, raw = block[0].strip(), " ".join(line.strip() for line in block[1:])
        section = _section_from(_plain(raw), lineno, lead)
        if section is None:
            brief.unparsed.append((lineno, raw[:200], "body: no sentence found"))
        else:
            brief.sections.append(section)
    return brief
