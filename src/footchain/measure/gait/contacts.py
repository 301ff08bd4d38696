"""Foot contacts: one :class:`Contact` per period of a foot on the ground, and :class:`Contacts`, a
foot's contacts kept as columns (:class:`ContactColumns`).

Event detection finds a foot's contacts as arrays; strides, loading, centre of pressure and double
support work on arrays again, through :func:`contact_columns`, which gives the columns of any
sequence of contacts: those :class:`Contacts` keeps, or arrays built from plain :class:`Contact`
tuples (contacts found by other means, e.g. foot IMUs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait._columnar import Columnar
from footchain.measure.gait.recording import FloatArray


class Contact(NamedTuple):
    """One period of the foot on the ground.

    Attributes
    ----------
    start_s, end_s : float
        Start and end (s). Where the threshold crossing was seen, interpolated between samples;
        otherwise the edge of the segment the contact was cut by.
    heel_strike_seen, toe_off_seen : bool
        Whether the rise (heel strike) and fall (toe off) were seen, rather than cut off by the
        start or end of the recording or a gap.
    segment : int
        Index of the gap-free segment holding the contact.
    """

    start_s: float
    end_s: float
    heel_strike_seen: bool
    toe_off_seen: bool
    segment: int

    @property
    def heel_strike_s(self) -> float | None:
        """Heel-strike time, or None when the contact was already under way."""
        return self.start_s if self.heel_strike_seen else None

    @property
    def toe_off_s(self) -> float | None:
        """Toe-off time, or None when the contact was cut off."""
        return self.end_s if self.toe_off_seen else None


@dataclass(frozen=True)
class ContactColumns:
    """A foot's contacts as arrays of equal length, in time order (the fields of :class:`Contact`)."""

    start_s: FloatArray
    end_s: FloatArray
    heel_strike_seen: NDArray[np.bool_]
    toe_off_seen: NDArray[np.bool_]
    segment: NDArray[np.int64]

    @property
    def complete(self) -> NDArray[np.bool_]:
        """Contacts whose heel strike and toe off were both seen."""
        return self.heel_strike_seen & self.toe_off_seen


class Contacts(Columnar[Contact, ContactColumns]):
    """A foot's contacts, kept as :class:`ContactColumns`; indexing and iterating give :class:`Contact`."""

    __slots__ = ()

    def __len__(self) -> int:
        return int(self.columns.start_s.shape[0])

    def _make_records(self) -> list[Contact]:
        c = self.columns
        return [
            Contact(*fields)
            for fields in zip(
                c.start_s.tolist(),
                c.end_s.tolist(),
                c.heel_strike_seen.tolist(),
                c.toe_off_seen.tolist(),
                c.segment.tolist(),
                strict=True,
            )
        ]


def contact_columns(contacts: Sequence[Contact]) -> ContactColumns:
    """The columns of a foot's contacts: those :class:`Contacts` keeps, or built from the tuples."""
    if isinstance(contacts, Contacts):
        return contacts.columns
    n = len(contacts)
    return ContactColumns(
        start_s=np.fromiter((c.start_s for c in contacts), dtype=np.float64, count=n),
        end_s=np.fromiter((c.end_s for c in contacts), dtype=np.float64, count=n),
        heel_strike_seen=np.fromiter((c.heel_strike_seen for c in contacts), dtype=bool, count=n),
        toe_off_seen=np.fromiter((c.toe_off_seen for c in contacts), dtype=bool, count=n),
        segment=np.fromiter((c.segment for c in contacts), dtype=np.int64, count=n),
    )
