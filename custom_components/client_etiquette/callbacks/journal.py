"""The callback queue's append-only journal: one JSON line per commit, fsynced.

These file operations run in the executor; the queue's lock serialises them.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

JOURNAL_SUFFIX = ".journal"


def append_line(path: str, line: bytes) -> None:
    """Append one line and fsync it; a failed write is cut off again (no torn middle)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, flags, 0o600)
    try:
        end = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, end)
            raise
    finally:
        os.close(fd)
    if end == 0:  # a new file: make its directory entry durable too
        _fsync_dir(path)


def _fsync_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(os.path.dirname(path), os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    """Return a journal line, or None when it is not a whole, well-formed line."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not (
        isinstance(entry, dict)
        and type(entry.get("seq")) is int
        and isinstance(entry.get("items"), list)
        and isinstance(entry.get("removed"), list)
        and isinstance(entry.get("history"), list)
    ):
        return None
    return entry


def read_journal(path: str) -> tuple[list[tuple[dict[str, Any], bytes]], bool]:
    """Return the whole lines, parsed, up to the first that isn't; and whether one wasn't."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except FileNotFoundError:
        return [], False
    lines: list[tuple[dict[str, Any], bytes]] = []
    for raw in content.split(b"\n"):
        if not raw:
            continue  # the end of the file (or an empty line, which no write makes)
        entry = _parse_line(raw)
        if entry is None:
            return lines, True
        lines.append((entry, raw))
    # A last line without its newline is a write that did not finish.
    torn = bool(content) and not content.endswith(b"\n")
    if torn and lines:
        lines.pop()
    return lines, torn


def rewrite_journal(path: str, after_seq: int) -> int:
    """Keep the whole lines newer than ``after_seq`` (temp file, fsync, replace).

    Returns how many lines are kept; an empty journal is deleted.
    """
    lines, torn = read_journal(path)
    kept = [raw for entry, raw in lines if entry["seq"] > after_seq]
    if len(kept) == len(lines) and not torn:
        return len(kept)  # nothing to drop
    if not kept:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        _fsync_dir(path)
        return 0
    temp = f"{path}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"".join(raw + b"\n" for raw in kept))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    _fsync_dir(path)
    return len(kept)


def remove_journal(path: str) -> None:
    """Delete the journal and any half-written rewrite of it."""
    for name in (path, f"{path}.tmp"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
