"""What the verifier checks: a brief's claims with their citations resolved to sources.

Two kinds of input become one :class:`VerifyInput`:

* a storybrief JSON brief (:class:`~storybrief.models.Brief`) with its story: citations are
  passage ids, resolved against the re-ingested story;
* a brief written elsewhere (plain text or Markdown, aggregator layout, see
  :mod:`storybrief.briefparse`) with its source files in citation order: a marker ``[n]``
  cites the n-th file as a whole.

The source files are ingested together with :func:`~storybrief.sources.build_story`, so each
given number maps to a cleaned source with passages and resolved dates; two given files that
are the same article map to one source, and that is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from storybrief.briefparse import ParsedBrief, parse_brief_text
from storybrief.errors import InputError
from storybrief.models import Brief, Finding, Passage, Position, Source, Story
from storybrief.text import guess_language

__all__ = [
    "Claim",
    "SourceDoc",
    "VerifyInput",
    "load_text_brief",
    "load_json_brief",
    "input_from_brief",
    "parse_source_options",
    "looks_like_json_brief",
]


@dataclass
class Claim:
    """One checkable unit of a brief."""

    position: Position
    text: str
    markers: list[int] = field(default_factory=list)  # source numbers cited
    passage_ids: list[str] | None = None  # JSON briefs: the cited passages
    labels: list[str] = field(default_factory=list)  # citations as the brief gives them
    lead: str | None = None
    date_iso: str | None = None  # timeline entries
    date_precision: str | None = None
    date_text: str | None = None

    @property
    def kind(self) -> str:
        return self.position.kind


@dataclass
class SourceDoc:
    """A source as the brief numbers it."""

    number: int
    source: Source
    passages: list[Passage]


@dataclass
class VerifyInput:
    name: str
    headline: str | None
    claims: list[Claim]
    story: Story
    numbered: dict[int, SourceDoc]  # the brief's [n] -> source
    passages_by_id: dict[str, Passage]
    findings: list[Finding] = field(default_factory=list)  # found while loading (resolution, parsing)
    unparsed: list[str] = field(default_factory=list)
    language: str = "und"  # the brief's language: sources in another one cannot be compared word for word


def _read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise InputError(f"{path}: binary file, not a brief")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc


def parse_source_options(positional: Sequence[Path], numbered: Sequence[str]) -> dict[int, Path]:
    """Source files by citation number: positional files are [1], [2], ...; ``N=PATH`` sets one."""
    out: dict[int, Path] = {i: Path(p) for i, p in enumerate(positional, start=1)}
    for item in numbered:
        number, sep, path = str(item).partition("=")
        if not sep or not number.strip().isdigit() or int(number) < 1 or not path.strip():
            raise InputError(f"--source {item!r}: expected N=PATH with N a citation number (1, 2, ...)")
        n = int(number)
        if n in out and out[n] != Path(path.strip()):
            raise InputError(f"source [{n}] given twice ({out[n]} and {path.strip()})")
        out[n] = Path(path.strip())
    for n, p in out.items():
        if not p.is_file():
            raise InputError(f"source [{n}]: {p} is not a file")
    return dict(sorted(out.items()))


def _same_path(a: str, b: Path) -> bool:
    try:
        return Path(a.partition("#")[0]).resolve() == b.resolve()
    except OSError:
        return False


def _passages_of(story: Story) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {}
    for p in story.passages:
        out.setdefault(p.source_id, []).append(p)
    return out


def _duplicate_findings(numbered: dict[int, SourceDoc]) -> list[Finding]:
    by_source: dict[str, list[int]] = {}
    for n, doc in numbered.items():
        by_source.setdefault(doc.source.id, []).append(n)
    findings = []
    for numbers in by_source.values():
        if len(numbers) > 1:
            labels = " and ".join(f"[{n}]" for n in numbers)
            findings.append(
                Finding(
                    type="duplicate-source",
                    severity="warning",
                    position=Position(kind="sources"),
                    message=(
                        f"{labels} are the same article (near-duplicate texts); a claim citing both has one "
                        "source, not independent confirmation."
                    ),
                    citations=[f"[{n}]" for n in numbers],
                )
            )
    return findings


def load_text_brief(brief_path: Path, sources: dict[int, Path]) -> VerifyInput:
    """A brief written elsewhere plus its source files by citation number."""
    from storybrief.sources import build_story

    if not sources:
        raise InputError("no source files given: pass them in citation order, or as --source N=PATH")
    text = _read_text(brief_path)
    parsed = parse_brief_text(text)
    if not parsed.sections and not parsed.timeline:
        raise InputError(f"{brief_path}: no sections or timeline entries found; is this a brief?")
    unique: list[Path] = []
    for p in sources.values():
        if not any(p.resolve() == u.resolve() for u in unique):
            unique.append(p)
    story = build_story(unique, name=Path(brief_path).stem)
    by_source = _passages_of(story)
    numbered: dict[int, SourceDoc] = {}
    for n, path in sources.items():
        match = next((s for s in story.sources if any(_same_path(o, path) for o in s.origins)), None)
        if match is None:  # pragma: no cover - build_story reads every file it is given
            raise InputError(f"source [{n}]: {path} was not read")
        numbered[n] = SourceDoc(n, match, by_source.get(match.id, []))
    inp = VerifyInput(
        language=guess_language(text),
        name=Path(brief_path).name,
        headline=parsed.headline,
        claims=_claims_from_parsed(parsed),
        story=story,
        numbered=numbered,
        passages_by_id={p.id: p for p in story.passages},
    )
    inp.findings.extend(_duplicate_findings(numbered))
    for line, content, reason in parsed.unparsed:
        inp.unparsed.append(f"line {line}: {reason}: {content}")
        inp.findings.append(
            Finding(type="unparsed-line", severity="warning", position=Position.of_line(line), text=content,
                    message=f"could not be read as part of the brief ({reason}); it was not checked")
        )
    return inp


def _claims_from_parsed(parsed: ParsedBrief) -> list[Claim]:
    claims: list[Claim] = []
    if parsed.headline:
        claims.append(Claim(position=Position(kind="headline"), text=parsed.headline))
    for i, section in enumerate(parsed.sections):
        for j, sentence in enumerate(section.sentences):
            claims.append(
                Claim(
                    position=Position.of_sentence(i, j),
                    text=sentence.text,
                    markers=list(sentence.markers),
                    labels=[f"[{n}]" for n in sentence.markers],
                    lead=section.lead,
                )
            )
    for k, entry in enumerate(parsed.timeline):
        claims.append(
            Claim(
                position=Position.of_entry(k),
                text=entry.text,
                markers=list(entry.markers),
                labels=[f"[{n}]" for n in entry.markers],
                date_iso=entry.iso,
                date_precision=entry.precision,
                date_text=entry.date_text,
            )
        )
    return claims


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def input_from_brief(brief: Brief, story: Story, name: str | None = None) -> VerifyInput:
    """A storybrief Brief and its (re-ingested) story."""
    by_source = _passages_of(story)
    story_by_id = {s.id: s for s in story.sources}
    passages = {p.id: p for p in story.passages}
    by_text = {_norm(p.text): p for p in story.passages}
    numbered: dict[int, SourceDoc] = {}
    for ref in brief.sources:
        src = story_by_id.get(ref.source_id)
        if src is not None:
            numbered[ref.number] = SourceDoc(ref.number, src, by_source.get(src.id, []))
    number_of = {doc.source.id: n for n, doc in numbered.items()}
    for src in story.sources:  # story sources the brief does not list keep the story's number
        if src.id not in number_of and src.number not in numbered:
            numbered[src.number] = SourceDoc(src.number, src, by_source.get(src.id, []))
            number_of[src.id] = src.number
    findings: list[Finding] = []
    matched: dict[str, str] = {}

    def resolve(position: Position, text: str, citations: list[str]) -> tuple[list[str], list[int]]:
        pids: list[str] = []
        for cid in citations:
            passage = passages.get(cid)
            if passage is None and cid in brief.passages:
                passage = by_text.get(_norm(brief.passages[cid].text))
                if passage is not None:
                    matched[cid] = passage.id
            if passage is None:
                findings.append(Finding(
                    type="unresolved-citation", severity="error", position=position, text=text, citations=[cid],
                    message=f"cited passage {cid} is not a passage of the story (was the brief made from other files?)",
                ))
                continue
            if passage.id not in pids:
                pids.append(passage.id)
        markers: list[int] = []
        for pid in pids:
            n = number_of.get(passages[pid].source_id)
            if n is not None and n not in markers:
                markers.append(n)
        return pids, markers

    claims: list[Claim] = [Claim(position=Position(kind="headline"), text=brief.headline)]
    for i, section in enumerate(brief.sections):
        for j, sentence in enumerate(section.sentences):
            position = Position.of_sentence(i, j)
            pids, markers = resolve(position, sentence.text, sentence.citations)
            claims.append(Claim(position=position, text=sentence.text, markers=markers,
                                passage_ids=pids, labels=list(sentence.citations), lead=section.lead))
    for k, event in enumerate(brief.timeline):
        position = Position.of_entry(k)
        pids, markers = resolve(position, event.text, event.citations)
        claims.append(Claim(position=position, text=event.text, markers=markers, passage_ids=pids,
                            labels=list(event.citations), date_iso=event.date, date_precision=event.precision,
                            date_text=event.date))
    if matched:
        findings.append(Finding(
            type="unresolved-citation", severity="info", position=Position(kind="brief"), citations=sorted(matched),
            message=(f"{len(matched)} cited passage ids are not in the re-ingested story but their passages' texts "
                     "are, word for word; they were matched by text (the story was ingested from other copies "
                     "of the files)"),
        ))
    inp = VerifyInput(name=name or brief.story, headline=brief.headline, claims=claims, story=story,
                      numbered=numbered, passages_by_id=passages, findings=findings, language=brief.language)
    return inp


def load_json_brief(brief_path: Path, story_paths: Sequence[Path]) -> VerifyInput:
    from storybrief.sources import build_story

    try:
        brief = Brief.model_validate_json(Path(brief_path).read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {brief_path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise InputError(f"{brief_path} is not a storybrief JSON brief ({exc.error_count()} schema errors)") from exc
    if not story_paths:
        raise InputError(f"{brief_path}: a JSON brief needs its story: give the article files or --story PATH")
    story = build_story(list(story_paths))
    return input_from_brief(brief, story, name=Path(brief_path).name)


def looks_like_json_brief(path: Path) -> bool:
    if Path(path).suffix.lower() == ".json":
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")
