"""The failure taxonomy: every error a user can see, mapped to the exit code Batch retries on."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    CONFIGURATION = 3
    PLUGIN = 4
    TRANSIENT = 75


class DatafeedsError(Exception):
    """Base of every expected failure; the CLI prints it as one line."""

    exit_code: ExitCode = ExitCode.FAILED


class JobFailed(DatafeedsError):
    """The scraper or its data failed (bad rows, a transform error)."""


class UsageError(DatafeedsError):
    exit_code = ExitCode.USAGE


class ConfigurationError(DatafeedsError):
    """Unknown oid, unknown or disabled scraper, missing meta."""

    exit_code = ExitCode.CONFIGURATION


class UnknownScraper(ConfigurationError):
    pass


class PluginError(DatafeedsError):
    """A plugin is broken (import failed) or ambiguous (a key registered twice)."""

    exit_code = ExitCode.PLUGIN


class TransientError(DatafeedsError):
    """A database or network dependency is unreachable; the job may be retried."""

    exit_code = ExitCode.TRANSIENT


class MalformedInput(JobFailed):
    """An input file or row does not follow the documented format."""
