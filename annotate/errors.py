"""Errors for bad input. They always name the file and the cause, so the CLI can print them without a traceback."""

from __future__ import annotations

from pathlib import Path


class GongbaoError(Exception):
    """Base class of errors the CLI reports as a one-line message."""


class InputError(GongbaoError):
    """A file that cannot be used as input. ``str(err)`` is ``"<path>: <cause>"``."""

    def __init__(self, path: str | Path, cause: str):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")
