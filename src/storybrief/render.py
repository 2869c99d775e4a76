"""The render stage: a Brief becomes Markdown, a self-contained HTML page, or JSON.

The layout follows the aggregator brief in the seed story (001), top to bottom: headline;
"Updated (N articles)"; sections, each a bold lead phrase followed by its sentences as one
paragraph, every sentence carrying citation markers ``[n]``; "Sources"; "Timeline", one
``Mon D, YYYY – event text [n]`` entry a line; "All related articles (N articles)".

A marker's ``n`` is the number of the *source* the cited passage belongs to, so several
passages of one source collapse into one marker, in order of first appearance.  Markers go
before a single trailing full stop ("... in Moscow [1][3].") as in the seed; otherwise at
the end of the text.

Nothing is dropped silently: a citation the renderer cannot resolve is shown as ``[?]``,
every ``brief.citation_issues`` entry is listed under "Citation check", the sentence it
names is flagged in place, a sentence left with no citation at all is flagged
``[uncited]``, and sources left out of the model's input are named.

``CitationIssue.where`` is a typed :class:`~storybrief.models.Position` in the final brief.
A position past the end of the brief is still listed in the note, just not pinned to a sentence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from .errors import ConfigError
from .files import write_atomic
from .models import Brief, CitationIssue, Position, Sentence, SourceRef, TimelineEvent
from .text import month_name

FORMATS = ("md", "html", "json")

_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


# English names for the languages a source list is likely to show; anything else is shown
# as its code.  The labels of the brief itself are English whatever brief.language is.
_LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "nl": "Dutch", "no": "Norwegian", "nb": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}

_TITLE_ATTR_LIMIT = 600


# --------------------------------------------------------------------------- dates


def format_date(day: dt.date) -> str:
    """``Feb 4, 2026``: English month abbreviation, no leading zero, whatever the locale."""
    return f"{month_name(day.month, short=True)} {day.day}, {day.year}"


_ISO_PARTS = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def format_event_date(iso: str, precision: str) -> str:
    """A timeline date at its precision: ``Feb 3, 2026`` (day), ``Dec 2025`` (month), ``2025`` (year).

    The ISO string may carry more than its precision ("2026-02-03" at month precision is
    ``Feb 2026``) or a time ("2026-02-03T10:00"); if it carries less, the coarser form it
    does carry is shown.  A string that is not an ISO date is returned as it is.
    """
    match = _ISO_PARTS.match(iso or "")
    if not match:
        return (iso or "").strip()
    year, month, day = match.group(1), match.group(2), match.group(3)
    month_no = int(month) if month else 0
    day_no = int(day) if day else 0
    if precision == "day" and 1 <= month_no <= 12 and day_no:
        try:
            return format_date(dt.date(int(year), month_no, day_no))
        except ValueError:
            pass
    if precision in ("day", "month") and 1 <= month_no <= 12:
        return f"{month_name(month_no, short=True)} {int(year)}"
    return str(int(year))


def _event_datetime_attr(iso: str, precision: str) -> str | None:
    """The machine-readable date for <time datetime>, cut to what is known; None if unusable."""
    match = _ISO_PARTS.match(iso or "")
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    if precision == "day" and month and day:
        try:
            return dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            return None
    if precision in ("day", "month") and month and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return year


def _format_timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
        zone = " UTC"
    else:
        zone = ""
    return f"{format_date(moment.date())} {moment:%H:%M}{zone}"


# --------------------------------------------------------------------------- view model


@dataclass
class Marker:
    """One ``[n]`` marker: a source number and the cited passages of that source."""

    number: int | None  # None: the citation could not be resolved to a listed source
    passage_ids: list[str]
    title: str  # hover text: the passage text(s)

    @property
    def label(self) -> str:
        return f"[{self.number}]" if self.number is not None else "[?]"


@dataclass
class _Cited:
    body: str
    tail: str
    markers: list[Marker]
    flag: str | None


@dataclass
class _View:
    brief: Brief
    refs_by_id: dict[str, SourceRef]
    problems: list[str] = field(default_factory=list)  # render-time citation problems
    cited_sources: set[str] = field(default_factory=set)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def passage_anchor(passage_id: str) -> str:
    """The HTML id of a passage: ``p-<id>``, with characters unsafe in a fragment encoded."""
    safe = re.sub(r"[^A-Za-z0-9_.:-]", lambda m: f"_{ord(m.group()):x}_", passage_id)
    return f"p-{safe}"


def citation_markers(brief: Brief, citations: list[str]) -> list[Marker]:
    """Map passage ids to source-numbered markers, one per source, in first-appearance order.

    A passage id not in ``brief.passages``, or whose source is not in ``brief.sources``,
    becomes a ``[?]`` marker of its own rather than disappearing.
    """
    return _markers(_View(brief, {ref.source_id: ref for ref in brief.sources}), citations, "")


def _markers(view: _View, citations: list[str], where: str) -> list[Marker]:
    by_source: dict[str, Marker] = {}
    markers: list[Marker] = []
    seen: set[str] = set()
    for pid in citations:
        if pid in seen:
            continue
        seen.add(pid)
        passage = view.brief.passages.get(pid)
        ref = view.refs_by_id.get(passage.source_id) if passage is not None else None
        if passage is None or ref is None:
            problem = "is not among the brief's passages" if passage is None else "belongs to no listed source"
            view.problems.append(f"{where}: cited passage {pid} {problem}; shown as [?]")
            markers.append(Marker(None, [pid], f"Unresolved citation: {pid}"))
            continue
        view.cited_sources.add(ref.source_id)
        marker = by_source.get(ref.source_id)
        if marker is None:
            marker = Marker(ref.number, [], "")
            by_source[ref.source_id] = marker
            markers.append(marker)
        marker.passage_ids.append(pid)
    for marker in by_source.values():
        ref = view.refs_by_id[view.brief.passages[marker.passage_ids[0]].source_id]
        quoted = " … ".join(_squash(view.brief.passages[p].text) for p in marker.passage_ids)
        name = _squash(ref.outlet) or f"Source {ref.number}"
        marker.title = _truncate(f"{name}: “{quoted}”", _TITLE_ATTR_LIMIT)
    return markers


def _split_tail(text: str) -> tuple[str, str]:
    """Markers go before one trailing full stop, as in the seed brief; otherwise at the end."""
    text = _squash(text)
    if text.endswith(".") and not text.endswith(".."):
        return text[:-1], "."
    return text, ""


_FLAGS = {"removed": "citation removed", "marked": "citation flagged"}


def _issue_flags(brief: Brief) -> dict[Position, str]:
    flags: dict[Position, str] = {}
    for issue in brief.citation_issues:
        # "removed" outranks "marked" when one sentence has both.
        if flags.get(issue.where) != _FLAGS["removed"]:
            flags[issue.where] = _FLAGS[issue.action]
    return flags


def _where_label(brief: Brief, issue: CitationIssue) -> str:
    where = issue.where
    if where.kind == "sentence" and (where.section or 0) < len(brief.sections):
        lead = _truncate(_squash(brief.sections[where.section or 0].lead), 60)
        return f"Section {(where.section or 0) + 1} (“{lead}”), sentence {(where.sentence or 0) + 1}"
    if where.kind == "timeline" and (where.entry or 0) < len(brief.timeline):
        event = brief.timeline[where.entry or 0]
        return f"Timeline entry {(where.entry or 0) + 1} ({format_event_date(event.date, event.precision)})"
    return where.label().capitalize()


def _cite(view: _View, item: Sentence | TimelineEvent, where: str, flag: str | None) -> _Cited:
    body, tail = _split_tail(item.text)
    markers = _markers(view, item.citations, where)
    if flag is None and not markers:
        flag = "uncited"
    return _Cited(body, tail, markers, flag)


def _language_label(code: str) -> str:
    primary = (code or "und").split("-")[0].split("_")[0].lower()
    return _LANGUAGE_NAMES.get(primary, code)


def _same_language(a: str, b: str) -> bool:
    def primary(code: str) -> str:
        return (code or "und").split("-")[0].split("_")[0].lower()

    return primary(a) == primary(b)


def _safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is not shown."""
    url = (url or "").strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Characters a URL may not carry raw (and that would end a Markdown autolink) are
    # percent-encoded; the URL still points where it did.
    return re.sub(r"[<>\"'`{}|\\^\x00-\x1f\x7f]", lambda m: f"%{ord(m.group()):02X}", url)


def _origin_name(origin: str) -> str:
    return origin.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or origin


def _source_label(ref: SourceRef) -> tuple[str, str]:
    """(outlet, title) for display; an untitled source is named by its first input file."""
    outlet = _squash(ref.outlet)
    title = _squash(ref.title)
    if not title:
        title = f"Untitled ({_origin_name(ref.origins[0])})" if ref.origins else "Untitled"
    return outlet, title


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _verification_line(brief: Brief) -> str | None:
    v = brief.verification
    if v is None:
        return None
    verdict = "passed" if v.passed else "FAILED"
    findings = f"{v.findings} finding" + ("" if v.findings == 1 else "s")
    return (
        f"Verification {verdict}: {v.supported} of {v.sentences} sentences supported, "
        + (f"{v.supported_elsewhere} supported by a passage they do not cite, " if v.supported_elsewhere else "")
        + f"{v.partially_supported} partially supported, {v.unsupported} unsupported, "
        f"{v.contradicted} contradicted; {findings} "
        f"({v.scorer}, {_format_timestamp(v.checked_at)})."
    )


@dataclass
class _Doc:
    """Everything both text renderers show, resolved once."""

    headline: str
    language: str
    updated: str
    related: str
    verification: str | None
    sections: list[tuple[str, list[_Cited]]]
    timeline: list[tuple[TimelineEvent, str, str | None, _Cited]]
    sources: list[dict]
    issues: list[str]
    omitted: list[tuple[int | None, str]]  # (source number, label)
    off_topic: str | None  # "Set aside as off-topic: [2] ..., [9] ..."
    warnings: list[str]
    footer: str


def _build(brief: Brief) -> _Doc:
    refs = sorted(brief.sources, key=lambda r: r.number)
    view = _View(brief, {ref.source_id: ref for ref in refs})
    flags = _issue_flags(brief)

    sections = []
    for i, section in enumerate(brief.sections):
        cited = [
            _cite(view, sentence, f"Section {i + 1}, sentence {j + 1}", flags.get(Position.of_sentence(i, j)))
            for j, sentence in enumerate(section.sentences)
        ]
        sections.append((_squash(section.lead), cited))

    timeline = []
    for k, event in enumerate(brief.timeline):
        label = format_event_date(event.date, event.precision)
        entry_cited = _cite(view, event, f"Timeline entry {k + 1}", flags.get(Position.of_entry(k)))
        timeline.append((event, label, _event_datetime_attr(event.date, event.precision), entry_cited))

    passages_by_source: dict[str, list] = {}
    for passage in brief.passages.values():
        passages_by_source.setdefault(passage.source_id, []).append(passage)

    omitted_ids = set(brief.omitted_sources)
    sources = []
    for ref in refs:
        outlet, title = _source_label(ref)
        details = []
        if ref.published:
            details.append(format_date(ref.published))
        if ref.language and ref.language != "und" and not _same_language(ref.language, brief.language):
            details.append(f"in {_language_label(ref.language)}")
        sources.append(
            {
                "number": ref.number,
                "anchor": f"source-{ref.number}",
                "outlet": outlet,
                "title": title,
                "details": details,
                "url": _safe_url(ref.url),
                "origins": list(ref.origins) if len(ref.origins) > 1 else [],
                "language": ref.language if ref.language and ref.language != "und" else "",
                "omitted": ref.source_id in omitted_ids,
                "passages": sorted(passages_by_source.get(ref.source_id, []), key=lambda p: (p.index, p.start)),
            }
        )

    issues = []
    for issue in brief.citation_issues:
        action = "removed" if issue.action == "removed" else "kept, flagged"
        issues.append(
            f"{_where_label(brief, issue)}: citation {_squash(issue.citation)} {action} — {_squash(issue.problem)}"
        )
    issues.extend(view.problems)

    omitted: list[tuple[int | None, str]] = []
    for sid in brief.omitted_sources:
        left_out = view.refs_by_id.get(sid)
        if left_out is None:
            omitted.append((None, f"source {sid}"))
        else:
            outlet, title = _source_label(left_out)
            omitted.append((left_out.number, f"{outlet} — {title}" if outlet else title))

    off_topic = None
    if brief.off_topic:
        labels = []
        for item in brief.off_topic:
            set_outlet, set_title = _source_label(view.refs_by_id[item.source_id]) if item.source_id in view.refs_by_id \
                else (item.outlet, item.title or f"source {item.source_id}")
            labels.append(f"[{item.number}] " + (f"{set_outlet} — {set_title}" if set_outlet else set_title))
        off_topic = "Set aside as off-topic: " + "; ".join(labels)

    models = sorted({call.model for call in brief.calls})
    footer = f"Generated by storybrief, {_format_timestamp(brief.generated_at)}"
    if models:
        footer += " · model: " + ", ".join(models)

    n = len(brief.sources)
    return _Doc(
        headline=_squash(brief.headline),
        language=brief.language or "und",
        updated=f"Updated ({_articles(n)})",
        related=f"All related articles ({_articles(n)})",
        verification=_verification_line(brief),
        sections=sections,
        timeline=timeline,
        sources=sources,
        issues=issues,
        omitted=omitted,
        off_topic=off_topic,
        warnings=[_squash(w) for w in brief.warnings if _squash(w)],
        footer=footer,
    )


_OMITTED_INTRO = (
    "The story was longer than the model's context window, so these sources were left out "
    "of the model's input; nothing in the brief comes from them:"
)
_ISSUES_INTRO = "Citations that failed the resolution check, and what was done about them:"


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#~|])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))(?=\s|$)")


def md_escape(text: str | None, *, block_start: bool = False) -> str:
    """Text as CommonMark that renders literally: whitespace collapsed, specials escaped.

    With ``block_start``, also escape what would open a list, heading or setext underline
    at the start of a block.
    """
    text = _MD_SPECIAL.sub(r"\\\1", _squash(text))
    text = _MD_ENTITY.sub(r"\\&", text)
    if block_start:
        match = _MD_BLOCK_START.match(text)
        if match and match.group(1):
            text = "\\" + text
        elif match:
            text = f"{match.group(2)}\\{match.group(3)}{text[match.end():]}"
    return text


def _md_cited(cited: _Cited, *, block_start: bool = False) -> str:
    out = md_escape(cited.body, block_start=block_start)
    extra = "".join(m.label for m in cited.markers)
    if cited.flag:
        extra += f" [{cited.flag}]" if extra else f"[{cited.flag}]"
    if extra:
        out = f"{out} {extra}" if out else extra
    return out + cited.tail


def _md_link(url: str) -> str:
    # An autolink cannot hold spaces or angle brackets; _safe_url already refused those.
    return f"<{url}>"


def render_markdown(brief: Brief) -> str:
    """The brief as CommonMark, in the order of the seed brief."""
    doc = _build(brief)
    blocks: list[str] = [f"# {md_escape(doc.headline)}", doc.updated]
    if doc.verification:
        blocks.append(md_escape(doc.verification, block_start=True))
    for lead, sentences in doc.sections:
        text = " ".join(_md_cited(s, block_start=not lead and k == 0) for k, s in enumerate(sentences))
        if lead or text:
            blocks.append(f"**{md_escape(lead)}** {text}".rstrip() if lead else text)
    if doc.issues:
        blocks.append("## Citation check")
        blocks.append(_ISSUES_INTRO)
        blocks.append("\n".join(f"- {md_escape(i, block_start=True)}" for i in doc.issues))
    if doc.omitted:
        blocks.append("## Sources left out")
        blocks.append(md_escape(_OMITTED_INTRO))
        items = [f"- [{n}] {md_escape(o)}" if n is not None else f"- {md_escape(o)}" for n, o in doc.omitted]
        blocks.append("\n".join(items))
    if doc.off_topic:
        blocks.append(md_escape(doc.off_topic, block_start=True))
    if doc.warnings:
        blocks.append("## Notes")
        blocks.append("\n".join(f"- {md_escape(w, block_start=True)}" for w in doc.warnings))

    blocks.append("## Sources")
    lines = []
    for s in doc.sources:
        line = f"- [{s['number']}] "
        line += f"{md_escape(s['outlet'])} — {md_escape(s['title'])}" if s["outlet"] else md_escape(s["title"])
        for detail in s["details"]:
            line += f", {md_escape(detail)}"
        if s["url"]:
            line += f", {_md_link(s['url'])}"
        if s["origins"]:
            line += " (merged from " + ", ".join(md_escape(o) for o in s["origins"]) + ")"
        if s["omitted"]:
            line += " (left out of the model's input)"
        lines.append(line)
    blocks.append("\n".join(lines) if lines else "No sources.")

    blocks.append("## Timeline")
    if doc.timeline:
        for _event, label, _attr, cited in doc.timeline:
            blocks.append(f"{md_escape(label, block_start=True)} – {_md_cited(cited)}")
    else:
        blocks.append("No dated events.")

    blocks.append(f"## {doc.related}")
    related = []
    for s in doc.sources:
        name = f"{md_escape(s['title'], block_start=True)} — {md_escape(s['outlet'])}" if s["outlet"] else md_escape(
            s["title"], block_start=True
        )
        related.append(f"- {name}")
    blocks.append("\n".join(related) if related else "None.")
    blocks.append(f"*{md_escape(doc.footer)}*")
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- html


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("storybrief", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _html_cited(cited: _Cited) -> dict:
    return {
        "body": cited.body,
        "tail": cited.tail,
        "flag": cited.flag or "",
        "markers": [
            {
                "label": m.label,
                "href": f"#{passage_anchor(m.passage_ids[0])}" if m.number is not None else "",
                "title": m.title,
            }
            for m in cited.markers
        ],
    }


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page: inline CSS, no scripts, no external requests."""
    doc = _build(brief)
    sources = []
    for s in doc.sources:
        sources.append(
            {
                **{k: v for k, v in s.items() if k != "passages"},
                "passages": [
                    {
                        "anchor": passage_anchor(p.id),
                        "id": p.id,
                        "text": p.text,
                        "meta": f"passage {p.index + 1} · characters {p.start}–{p.end}",
                    }
                    for p in s["passages"]
                ],
            }
        )
    context = {
        "language": doc.language,
        "headline": doc.headline,
        "updated": doc.updated,
        "verification": doc.verification or "",
        "verification_failed": bool(brief.verification and not brief.verification.passed),
        "sections": [{"lead": lead, "sentences": [_html_cited(c) for c in cited]} for lead, cited in doc.sections],
        "issues": doc.issues,
        "issues_intro": _ISSUES_INTRO,
        "omitted": [f"[{n}] {o}" if n is not None else o for n, o in doc.omitted],
        "omitted_intro": _OMITTED_INTRO,
        "off_topic": doc.off_topic or "",
        "warnings": doc.warnings,
        "sources": sources,
        "timeline": [
            {"label": label, "datetime": attr or "", **_html_cited(cited)} for _e, label, attr, cited in doc.timeline
        ],
        "related": doc.related,
        "cited_sources": [s for s in sources if s["passages"]],
        "footer": doc.footer,
    }
    return _environment().get_template("brief.html.j2").render(**context)


# --------------------------------------------------------------------------- json and files


def render_json(brief: Brief) -> str:
    """The brief itself, every field, as indented JSON that Brief.model_validate_json reads back."""
    return brief.model_dump_json(indent=2) + "\n"


def _renderer(fmt: str) -> Callable[[Brief], str]:
    # Looked up at call time, so a replaced module attribute (tests) is honoured.
    renderers = {"md": render_markdown, "html": render_html, "json": render_json}
    try:
        return renderers[fmt]
    except KeyError:
        raise ConfigError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}") from None


def render(brief: Brief, fmt: str) -> str:
    """Render in one of FORMATS."""
    return _renderer(fmt)(brief)


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for by its suffix (.md, .html, .json)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(f"cannot tell the output format from {str(path)!r}; use a .md, .html or .json name")
    return _SUFFIXES[suffix]


def write_brief(brief: Brief, path: str | Path, fmt: str | None = None) -> Path:
    """Render fully, then write atomically: a failed render leaves any existing file as it was."""
    path = Path(path)
    text = render(brief, fmt or format_for_path(path))
    write_atomic(path, text)
    return path
