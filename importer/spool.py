"""Bodies kept in a temporary file instead of in memory, read back when they are needed.

Every planned row holds its body (as compact JSON text) from planning until it is sent, and
every sent row keeps it for the workbook and the journal's checks: ~650 bytes a row, 65 MB for
100,000 rows, which is most of what a run holds per row. A body is written here once and
read back only where it is used (sending it, the workbook's ``sent`` and Payloads columns),
so what stays in memory is a small handle (:class:`Spooled`, ~110 bytes).

The file is unnamed (``tempfile.TemporaryFile``: no other process sees it, and the system
removes it when it is closed or the process ends) and is closed when the last handle into it
is gone; a new one is started when it reaches :data:`ROTATE` bytes. Writes are buffered and
appended under a lock; reads use ``os.pread``, so threads read without waiting for each
other. Short bodies stay in memory as they are: a handle would not be smaller.
"""

from __future__ import annotations

import os
import tempfile
import threading

INLINE = 120  # characters: a body this short is kept as it is
ROTATE = 64 << 20  # bytes: a spool this large is left to its handles, and a new one started
_BUFFER = 1 << 18  # bytes written at once
_PREAD = hasattr(os, "pread")


class Spool:
    """An append-only temporary file of texts."""

    def __init__(self) -> None:
        # open as long as the spool is: closed (and so removed) when it is collected
        self._file = tempfile.TemporaryFile(prefix="importer-bodies-")  # noqa: SIM115
        self._fd = self._file.fileno()
        self._lock = threading.Lock()
        self._written = 0  # bytes in the file
        self._pending: list[bytes] = []  # appended after the file's end, not yet written
        self._pending_size = 0
        self.full = False  # a write failed (no room): what is buffered stays in memory

    @property
    def size(self) -> int:
        return self._written + self._pending_size

    def put(self, text: str) -> Spooled:
        """The text appended; OSError when the file could not take more (:attr:`full`)."""
        data = text.encode("utf-8")
        with self._lock:
            if self.full:
                raise OSError(f"the body spool {self._file.name} is full")
            at = self._written + self._pending_size
            self._pending.append(data)
            self._pending_size += len(data)
            if self._pending_size >= _BUFFER:
                self._flush()
        return Spooled(self, at, len(data))

    def get(self, at: int, size: int) -> str:
        if at + size > self._written:  # still in the buffer
            with self._lock:
                self._flush()
                if at + size > self._written:  # it could not be written: read it there
                    data = b"".join(self._pending)
                    self._pending = [data]
                    start = at - self._written
                    return data[start : start + size].decode("utf-8")
        chunks, done = [], 0
        while done < size:  # a read may return less than asked
            chunk = self._read(size - done, at + done)
            if not chunk:
                raise OSError(f"the body spool {self._file.name} ends before byte {at + size}")
            chunks.append(chunk)
            done += len(chunk)
        return b"".join(chunks).decode("utf-8")

    def _read(self, size: int, at: int) -> bytes:
        if _PREAD:
            return os.pread(self._fd, size, at)
        with self._lock:  # no pread (Windows): one reader at a time
            os.lseek(self._fd, at, os.SEEK_SET)
            return os.read(self._fd, size)

    def _flush(self) -> None:
        """Write the buffer (the lock is held). A disk without room leaves it in memory, and
        the spool :attr:`full`: nothing is lost, and no run stops for it."""
        if not self._pending or self.full:
            return
        data = memoryview(b"".join(self._pending))
        done = 0
        try:
            if not _PREAD:
                os.lseek(self._fd, self._written, os.SEEK_SET)
            while done < len(data):
                if _PREAD:
                    done += os.pwrite(self._fd, data[done:], self._written + done)
                else:
                    done += os.write(self._fd, data[done:])
        except OSError:
            self.full = True
            return
        self._written += len(data)  # only now: what lies below it can be read
        self._pending.clear()
        self._pending_size = 0


class Spooled:
    """Where one text is kept: the spool, its place and its length in bytes."""

    __slots__ = ("spool", "at", "size")

    def __init__(self, spool: Spool, at: int, size: int):
        self.spool, self.at, self.size = spool, at, size

    def text(self) -> str:
        return self.spool.get(self.at, self.size)


_current: Spool | None = None
_lock = threading.Lock()


def keep(text: str | None) -> str | Spooled | None:
    """A text as it is best kept: short ones as they are, others in the current spool (in
    memory, as they are, when no temporary file can be written)."""
    global _current
    if text is None or len(text) <= INLINE:
        return text
    try:
        with _lock:
            if _current is None or _current.size >= ROTATE or _current.full:
                _current = Spool()
            spool = _current
        return spool.put(text)
    except OSError:  # no temporary folder, or no room in it
        return text


def text_of(kept: str | Spooled | None) -> str | None:
    """The text :func:`keep` kept."""
    return kept.text() if isinstance(kept, Spooled) else kept
