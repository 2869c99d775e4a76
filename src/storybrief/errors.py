"""The error hierarchy. The CLI turns each class into a one-line message and its exit code."""

from __future__ import annotations

import re


class StorybriefError(Exception):
    """Base of every error storybrief raises on purpose."""

    exit_code = 1


class InputError(StorybriefError):
    """The input cannot be used: missing, empty, binary, too large, unparseable."""

    exit_code = 2


class ConfigError(StorybriefError):
    """The configuration or the command line asks for something impossible."""

    exit_code = 2


class ModelUnavailableError(StorybriefError):
    """The model server could not be installed, started or reached, or kept failing."""

    exit_code = 3


class ModelOutputError(StorybriefError):
    """The model kept answering with output that does not fit the schema."""

    exit_code = 4


class VerificationFailed(StorybriefError):
    """A brief failed verification past the configured thresholds."""

    exit_code = 1


class OutputError(StorybriefError):
    """An output cannot be written: no permission, disk full, a folder where a file should be."""

    exit_code = 2


_CREDENTIALS = [
    # user:password@ in a URL
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1[redacted]@"),
    # Authorization: Bearer ..., Basic ...
    (re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1\2[redacted]"),
    # sk-..., sk-proj-..., and the like
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}"), r"\1-[redacted]"),
    # "api_key": "...", password=..., secret: ...
    (re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|auth[_-]?token|password|passwd|secret|authorization)"
                r"(\"?'?\s*[:=]\s*\"?'?)(?!\[redacted\])[^\s\"',;}&]+"), r"\1\2[redacted]"),
]


def redact(text: str, *secrets: str | None) -> str:
    """`text` with anything that looks like a credential replaced by [redacted]: the given
    secrets, URL passwords, bearer tokens, sk- keys and key=value pairs."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return text


class ContextOverflowError(ModelUnavailableError):
    """The request did not fit the model's context window; the caller re-fits and asks again.

    `requested` and `available` are the server's token counts when it gave them.
    """

    def __init__(self, message: str, requested: int | None = None, available: int | None = None):
        super().__init__(message)
        self.requested = requested
        self.available = available


class StoriesFailed(StorybriefError):
    """A digest run finished, but some stories failed; they are listed and retried next run."""

    exit_code = 5


class DigestLocked(StorybriefError):
    """Another digest run holds the output folder's lock (sysexits' EX_TEMPFAIL: try later)."""

    exit_code = 75
