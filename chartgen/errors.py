"""Errors the user can fix. The CLI turns them into a message and exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input: a file, a value, a flag. The message must say where and what.

    ``location`` is a file path (optionally ``:line:column``) or a values path;
    it is printed in front of the message.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message
