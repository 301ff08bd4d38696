"""A read-only sequence of records kept as columns of arrays, whose records are made on first use.

The gait analysis finds contacts and strides as arrays and works on arrays again (strides, loading,
centre of pressure, double support, the JSON). Keeping the arrays, and making the per-record tuples
only when a caller indexes or iterates, saves building and taking apart a Python object per step
(``benchmarks/gait_speed.py``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar, overload

Record = TypeVar("Record")
Columns = TypeVar("Columns")


class Columnar(Sequence[Record], Generic[Record, Columns]):
    """Records kept as ``columns``; subclasses say how many there are and how to make them.

    Equal to any sequence holding the same records in the same order (a list of them included).
    """

    __slots__ = ("_records", "columns")

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self._records: list[Record] | None = None

    @abstractmethod
    def __len__(self) -> int:
        """The number of records, from the columns (without making the records)."""

    @abstractmethod
    def _make_records(self) -> list[Record]:
        """All records, in order, made from the columns."""

    def _all(self) -> list[Record]:
        if self._records is None:
            self._records = self._make_records()
        return self._records

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return self._all() == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._all()!r})"
