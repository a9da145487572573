"""One exception family, so the CLI can turn any user mistake into one line and exit 2."""

from __future__ import annotations


class AssessError(Exception):
    """Base of every error the workbook raises on purpose.

    The message is a single line a user can act on: which file, which row or
    field, and what to fix.
    """

    def __str__(self) -> str:
        # A value quoted from a user's file may hold line breaks; the message stays one line.
        return super().__str__().replace("\r", "\\r").replace("\n", "\\n")


class InputError(AssessError):
    """A data file is unreadable, malformed or inconsistent."""


class ConfigError(AssessError):
    """A parameters file is invalid."""


class NotebookError(AssessError):
    """A notebook failed while the batch was executing it."""


class OutputError(AssessError):
    """The output folder cannot be written safely (it holds other files, is locked, ...)."""
