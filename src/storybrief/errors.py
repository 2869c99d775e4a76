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


class StoriesFailed(StorybriefError):
    """A digest run finished, but some stories failed; they are listed and retried next run."""

    exit_code = 5


class DigestLocked(StorybriefError):
    """Another digest run holds the output folder's lock (sysexits' EX_TEMPFAIL: try later)."""

    exit_code = 75
