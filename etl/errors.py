"""Errors the ETL reports to people: always the file, and where known the line
and column, with a French message."""
from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A bad input file. `line` is 1-based as a text editor shows it (the header
    is line 1); `column` is the column name as written in the file."""

    def __init__(self, file: str | Path, message: str, line: int | None = None, column: str | None = None):
        self.file = str(file)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", ligne {self.line}"
        if self.column is not None:
            where += f", colonne {self.column}"
        return f"{where} : {self.message}"


class BuildError(Exception):
    """The build cannot produce a valid warehouse; the previous one is kept."""
