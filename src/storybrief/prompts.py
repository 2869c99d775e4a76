"""Prompt templates (jinja2, StrictUndefined) and their content hashes.

Templates live in the repository's `prompts/` folder; an installed wheel carries a copy.
A template renders to a chat: the text before a line `---user---` is the system message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta

from .errors import ConfigError

USER_MARKER = "---user---"

# A passage label as the prompt writes them ([P12]); in article text it would pose as one.
_FAKE_LABEL = re.compile(r"\[\s*(P\s*\d+)\s*\]", re.I)


def fence_text(value: object) -> str:
    """Article text as data inside the <articles> fence: angle brackets cannot open or close a
    tag, and a [P1] in the text cannot pose as a passage label."""
    text = str(value).replace("<", "‹").replace(">", "›")
    return _FAKE_LABEL.sub(r"(\1)", text)


def fence_field(value: object) -> str:
    """A metadata field (outlet, title, language, date) inside the fence: fenced as text, on one
    line, and with no quote that could end the attribute it sits in."""
    return " ".join(fence_text(value).replace('"', "'").split())


def _default_prompt_dir() -> Path:
    checkout = Path(__file__).resolve().parents[2] / "prompts"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parent / "_prompts"


@dataclass(frozen=True)
class RenderedPrompt:
    name: str
    hash: str
    messages: list[dict[str, str]]


class PromptLibrary:
    """The prompts of one folder. A variant folder (for evals) can shadow single templates."""

    def __init__(self, directory: Path | None = None, overlay: Path | None = None):
        """`overlay`: a variant folder whose templates shadow those of `directory` one by one
        (an eval's prompt variant changes brief.j2 and keeps the shared includes)."""
        self.directory = Path(directory) if directory else _default_prompt_dir()
        self.overlay = Path(overlay) if overlay else None
        if not self.directory.is_dir():
            raise ConfigError(f"prompt folder not found: {self.directory}")
        if self.overlay is not None and not self.overlay.is_dir():
            raise ConfigError(f"prompt variant folder not found: {self.overlay}")
        folders = [self.overlay, self.directory] if self.overlay is not None else [self.directory]
        self._loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in folders])
        self._env = jinja2.Environment(
            loader=self._loader,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # prompts are plain text; article text is fenced, not escaped
        )
        self._env.filters["fence_text"] = fence_text
        self._env.filters["fence_field"] = fence_field
        self._hashes: dict[str, str] = {}

    def _source(self, name: str) -> str:
        try:
            return self._loader.get_source(self._env, name)[0]
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(f"prompt template not found: {self.directory / name}") from exc

    def content_hash(self, name: str) -> str:
        """sha256 over the template and every template it includes, so any edit changes it.

        With an overlay the sources hashed are the resolved ones (the variant's where it has
        one), so a variant's hash differs exactly when what the model sees differs."""
        if name in self._hashes:
            return self._hashes[name]
        digest = hashlib.sha256()
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            source = self._source(current)
            digest.update(current.encode() + b"\0" + source.encode() + b"\0")
            pending.extend(t for t in jinja2.meta.find_referenced_templates(self._env.parse(source)) if t)
        self._hashes[name] = digest.hexdigest()[:16]
        return self._hashes[name]

    def render(self, name: str, **variables) -> RenderedPrompt:
        try:
            text = self._env.get_template(name).render(**variables)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(f"prompt template not found: {self.directory / name}") from exc
        except jinja2.UndefinedError as exc:
            raise ConfigError(f"prompt {name} uses an undefined variable: {exc.message}") from exc
        system, marker, user = text.partition(USER_MARKER)
        if not marker:
            raise ConfigError(f"prompt {name} has no {USER_MARKER} line")
        messages = [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]
        return RenderedPrompt(name=name.removesuffix(".j2"), hash=self.content_hash(name), messages=messages)
