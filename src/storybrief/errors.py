"""The error hierarchy. The CLI turns each class into a one-line message and its exit code."""

from __future__ import annotations


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


class ContextOverflowError(ModelUnavailableError):
    """The request did not fit the model's context window; the caller re-fits and asks again.

    `requested` and `available` are the server's token counts when it gave them.
    """

    def __init__(self, message: str, requested: int | None = None, available: int | None = None):
        super().__init__(message)
        self.requested = requested
        self.available = available
