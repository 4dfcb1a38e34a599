"""Typed rows by row number, kept as columns: a row's dict is made when it is read.

Validation gives every row of a step its typed values, and sending reads them again (to
render, to hash, to look up), so they are held for the whole run. A dict per row costs ~460
bytes (46 MB for 100,000 rows); the columns' lists cost 8 bytes a cell. A row is read a few
times in a run, and making its dict takes about a microsecond.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any


class Rows(Mapping[int, dict[str, Any]]):
    """Typed rows by row number, each a new dict made from the columns when it is asked for
    (so a change to it changes nothing). ``without`` gives the same rows less some (the
    valid rows: without those with problems), sharing the columns."""

    def __init__(
        self,
        names: list[str],
        columns: list[list[Any]],
        numbers: list[int],
        left_out: Collection[int] = (),
        position: Mapping[int, int] | None = None,
    ):
        self._names, self._columns, self._numbers = names, columns, numbers
        self._position = position if position is not None else _positions(numbers)
        self._left_out = left_out
        self._len = len(numbers) - sum(1 for n in left_out if n in self._position)

    def without(self, rows: Collection[int]) -> Rows:
        """These rows less ``rows``."""
        return Rows(self._names, self._columns, self._numbers, rows, self._position)

    def __getitem__(self, n: int) -> dict[str, Any]:
        at = self._position[n]  # KeyError as a dict's
        if n in self._left_out:
            raise KeyError(n)
        return dict(zip(self._names, [column[at] for column in self._columns], strict=True))

    def __contains__(self, n: object) -> bool:
        return n in self._position and n not in self._left_out

    def __iter__(self) -> Iterator[int]:
        left_out = self._left_out
        return (n for n in self._numbers if n not in left_out)

    def __len__(self) -> int:
        return self._len


class _Consecutive(Mapping[int, int]):
    """Row number -> place, for rows numbered without a gap (most files): no dict needed."""

    def __init__(self, first: int, count: int):
        self.first, self.count = first, count

    def _at(self, n: object) -> int | None:
        """The place of ``n``, found as a dict would find it (``np.int64(5)`` is 5)."""
        try:
            at = int(n) - self.first  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return None
        return at if 0 <= at < self.count and at + self.first == n else None

    def __getitem__(self, n: int) -> int:
        at = self._at(n)
        if at is None:
            raise KeyError(n)
        return at

    def __contains__(self, n: object) -> bool:
        return self._at(n) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.first + self.count))

    def __len__(self) -> int:
        return self.count


def _positions(numbers: list[int]) -> Mapping[int, int]:
    if numbers and numbers[-1] - numbers[0] == len(numbers) - 1 and numbers == sorted(numbers):
        return _Consecutive(numbers[0], len(numbers))
    return {n: i for i, n in enumerate(numbers)}
