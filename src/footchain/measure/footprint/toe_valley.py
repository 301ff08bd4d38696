"""Cut the toes off a pressure footprint along the low-pressure valley in front of the ball.

Cavanagh & Rodgers (1987) leave the toes out of the arch index: on an ink print the toes are separate
blobs, but on a plate's peak-pressure picture they often touch the ball through a row or two of
low-pressure sensors (the sulcus under the metatarsophalangeal joints), and then nothing downstream
can tell them from the ball. Plate software draws the toe line along that valley (novel's automask,
and the R package pressuRe, Telfer et al., which takes a least-cost path across the top of the
foot). This module does the same, for any plate and any orientation of the foot in the picture:

1. the foot's long axis is its principal axis; the forefoot is the wider end (the ball is wider than
   the heel);
2. the toe line is the cheapest path across the foot, from the mat on one side to the mat on the
   other (in the foot's bounding box and a rim of mat), inside a band from ``BAND_FROM_TIP[0]`` to
   ``BAND_FROM_TIP[1]`` of the foot's length behind its front tip; a step into a loaded sensor costs
   its share of the foot's peak pressure, a step over the unloaded mat (a gap between toes) almost
   nothing. When the mat already runs across the band (the toes are separate), nothing is cut;
3. the path is kept only where it is a real valley: the part in front of it is small (the toes are
   at most ``TOES_AT_MOST`` of the contact area) and the path's highest sensor is at most
   ``VALLEY_AT_MOST`` of the peaks in front of it (a toe) and behind it (the ball). A foot whose toes
   left no print is left alone;
4. the toes cut off are split from each other along the watershed of their pressure between
   peaks that stand out by ``TOE_PEAK_DYNAMIC`` of the foot's peak (Soille 2003, h-maxima), so that
   the big toe and the second toe, which set the foot axis of Cavanagh & Rodgers, are seen apart.

References
----------
Cavanagh PR, Rodgers MM (1987). The arch index: a useful measure from footprints. J Biomech 20(5):547-551.
Soille P (2003). Morphological Image Analysis, 2nd ed., Springer: h-maxima (ch. 6) and watersheds (ch. 9).
"""

from __future__ import annotations

import heapq

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

Mask = NDArray[np.bool_]
F64 = NDArray[np.float64]

BAND_FROM_TIP = (0.05, 0.35)  # the toe line lies this far behind the front tip (share of the foot length)
END_SHARE = 0.35  # the widths of the two ends are compared over this share of the length
TOES_AT_MOST = 0.2  # the toes are at most this share of the contact area
VALLEY_AT_MOST = 0.5  # the valley's highest sensor, as a share of the toe's and the ball's peaks
TOE_PEAK_DYNAMIC = 0.1  # toe peaks stand out of their surroundings by this share of the foot's peak
STEP_COST = 0.01  # cost of one step over the mat, so the path is also short
_PAD = 2  # cells of mat added around the foot, so the path can start and end beside it


def cut_toes_at_valley(foot: Mask, values: F64) -> Mask:
    """The foot's contact with the toe line of a pressure picture removed (see the module docstring).

    Parameters
    ----------
    foot : numpy.ndarray of bool
        The contact of one foot, toes included.
    values : numpy.ndarray
        The pressure picture the contact was taken from (same shape).

    Returns
    -------
    numpy.ndarray of bool
        ``foot`` without the sensors of the toe line and of the lines between toes, or ``foot``
        unchanged when the toes are already apart or there is no toe valley.
    """
    foot = np.asarray(foot, dtype=bool)
    rows, cols = np.flatnonzero(foot.any(axis=1)), np.flatnonzero(foot.any(axis=0))
    if rows.size == 0:
        return foot
    box = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
    contact = np.pad(foot[box], _PAD)
    vals = np.pad(np.where(foot[box], values[box], 0.0), _PAD)
    peak = float(vals.max())
    if peak <= 0 or int(contact.sum()) < 10:
        return foot
    along, across = _foot_coordinates(contact)
    front, rear = _band_ends(along[contact])
    band = (along <= front) & (along >= rear)
    line = _cheapest_crossing(contact, band, across, np.where(contact, vals / peak, 0.0) + STEP_COST)
    if line is None:
        return foot
    cut = line & contact
    toes = _toes_in_front(contact & ~cut, along, float(along[line].mean()))
    if not _is_valley(vals, cut, toes, (contact & ~cut & ~toes) & band, int(contact.sum())):
        return foot
    kept = contact & ~cut & ~_lines_between_toes(vals, toes, TOE_PEAK_DYNAMIC * peak)
    out = foot.copy()
    out[box] = kept[_PAD:-_PAD, _PAD:-_PAD]
    return out


def _foot_coordinates(contact: Mask) -> tuple[F64, F64]:
    """For every cell: its position along the foot's long axis (growing towards the toes) and across."""
    ys, xs = np.nonzero(contact)
    pts = np.stack([xs, ys], 1).astype(np.float64)
    centre = pts.mean(0)
    evals, evecs = np.linalg.eigh(np.cov((pts - centre).T))
    axis = evecs[:, int(np.argmax(evals))]
    gy, gx = np.mgrid[0 : contact.shape[0], 0 : contact.shape[1]].astype(np.float64)
    along = (gx - centre[0]) * axis[0] + (gy - centre[1]) * axis[1]
    across = (gx - centre[0]) * -axis[1] + (gy - centre[1]) * axis[0]
    s, t = along[contact], across[contact]
    lo, hi = float(s.min()), float(s.max())
    reach = END_SHARE * (hi - lo)

    def width(sel: NDArray[np.bool_]) -> float:
        return float(np.ptp(t[sel])) if sel.any() else 0.0

    if width(s <= lo + reach) > width(s >= hi - reach):  # the wider end is the forefoot
        along = -along
    return along, across


def _band_ends(along_contact: F64) -> tuple[float, float]:
    """Front and rear limit of the band where the toe line is looked for."""
    lo, hi = float(along_contact.min()), float(along_contact.max())
    length = hi - lo
    return hi - BAND_FROM_TIP[0] * length, hi - BAND_FROM_TIP[1] * length


def _cheapest_crossing(contact: Mask, band: Mask, across: F64, cost: F64) -> Mask | None:
    """The cheapest 4-connected path through the band from the mat on one side of the foot to the mat
    on the other (a 4-connected line parts 8-connected contact); None when the mat already crosses."""
    mat = band & ~contact
    _, labels = cv2.connectedComponents(mat.view(np.uint8), connectivity=4)
    t_contact = across[contact]
    one_side = set(np.unique(labels[mat & (across < t_contact.min())]).tolist()) - {0}
    other_side = set(np.unique(labels[mat & (across > t_contact.max())]).tolist()) - {0}
    if not one_side or not other_side or one_side & other_side:
        return None
    index = np.full(band.shape, -1, dtype=np.int64)
    cells = np.flatnonzero(band.ravel())
    index.ravel()[cells] = np.arange(cells.size)
    rows, cols = np.divmod(cells, band.shape[1])
    sources, targets, weights = [], [], []
    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        rr, cc = rows + dr, cols + dc
        inside = (rr >= 0) & (rr < band.shape[0]) & (cc >= 0) & (cc < band.shape[1])
        neighbour = np.full(cells.size, -1, dtype=np.int64)
        neighbour[inside] = index[rr[inside], cc[inside]]
        ok = neighbour >= 0
        sources.append(np.arange(cells.size)[ok])
        targets.append(neighbour[ok])
        weights.append(cost[rr[ok], cc[ok]])
    graph = csr_matrix(
        (np.concatenate(weights), (np.concatenate(sources), np.concatenate(targets))),
        shape=(cells.size, cells.size),
    )
    starts = index[np.isin(labels, list(one_side)) & mat]
    goals = index[np.isin(labels, list(other_side)) & mat]
    dist, pred, _ = dijkstra(graph, indices=starts, min_only=True, return_predecessors=True)
    goal = int(goals[np.argmin(dist[goals])])
    if not np.isfinite(dist[goal]):
        return None
    line = np.zeros(band.size, dtype=bool)
    node = goal
    while node >= 0:
        line[cells[node]] = True
        node = int(pred[node])
    return line.reshape(band.shape)


def _toes_in_front(rest: Mask, along: F64, line_at: float) -> Mask:
    """The parts of the contact that the line has cut off in front of it (all but the largest part)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rest.view(np.uint8), connectivity=8)
    if n <= 2:
        return np.zeros_like(rest)
    main = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    lab = np.asarray(labels)
    front = [i for i in range(1, n) if i != main and float(along[lab == i].mean()) > line_at]
    return np.isin(lab, front)


def _is_valley(vals: F64, cut: Mask, toes: Mask, ball: Mask, area: int) -> bool:
    """Whether the cut runs along a valley between toes and the ball (module docstring, step 3)."""
    if not toes.any() or not cut.any() or not ball.any() or int(toes.sum()) > TOES_AT_MOST * area:
        return False
    return float(vals[cut].max()) <= VALLEY_AT_MOST * min(float(vals[toes].max()), float(vals[ball].max()))


def _lines_between_toes(vals: F64, toes: Mask, dynamic: float) -> Mask:
    """Watershed lines of the pressure inside the toes between peaks that stand out by ``dynamic``."""
    peaks = _h_maxima(np.where(toes, vals, 0.0), toes, dynamic)
    n, labels = cv2.connectedComponents(peaks.view(np.uint8), connectivity=8)
    if n <= 2:
        return np.zeros_like(toes)
    marks = np.asarray(labels, dtype=np.int32) + 1  # ≥ 2: peaks
    marks[marks == 1] = 0  # toe cells to flood
    marks[~toes] = 1  # not a toe
    return np.asarray((_flood(marks, vals) == -1) & toes, dtype=bool)


def _h_maxima(vals: F64, region: Mask, dynamic: float) -> Mask:
    """The peaks of ``vals`` that rise at least ``dynamic`` above every path to a higher peak (Soille
    2003): ``vals`` minus its reconstruction by dilation from ``vals - dynamic`` reaches ``dynamic``."""
    peak = float(np.max(vals, initial=0.0))
    if not peak > 0:
        return np.zeros_like(region)
    top = (vals / peak).astype(np.float32)  # relative to the peak: any pressure unit fits float32
    dynamic /= peak
    rec = np.maximum(top - dynamic, 0.0).astype(np.float32)
    kernel = np.ones((3, 3), np.uint8)
    while True:
        grown = np.where(region, np.minimum(cv2.dilate(rec, kernel), top), 0.0).astype(np.float32)
        if np.array_equal(grown, rec):
            break
        rec = grown
    return np.asarray(region & (top - rec >= dynamic * (1 - 1e-4)), dtype=bool)


def _flood(marks: NDArray[np.int32], values: F64) -> NDArray[np.int32]:
    """Watershed by priority flood from the pressure peaks downwards (0: to flood, 1: outside).

    A cell reached from two different basins becomes a line (-1). Toe regions are small, so a heap
    over their cells is quick.
    """
    out = marks.copy()
    h, w = out.shape
    heap: list[tuple[float, int, int]] = []
    queued = np.zeros((h, w), bool)
    steps = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))

    def queue_around(r: int, c: int) -> None:
        for dr, dc in steps:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and out[rr, cc] == 0 and not queued[rr, cc]:
                queued[rr, cc] = True
                heapq.heappush(heap, (-float(values[rr, cc]), rr, cc))

    for r, c in zip(*np.nonzero(out >= 2), strict=True):
        queue_around(int(r), int(c))
    while heap:
        _, r, c = heapq.heappop(heap)
        seen = {
            int(out[r + dr, c + dc])
            for dr, dc in steps
            if 0 <= r + dr < h and 0 <= c + dc < w and out[r + dr, c + dc] >= 2
        }
        out[r, c] = seen.pop() if len(seen) == 1 else -1
        if out[r, c] != -1:
            queue_around(r, c)
    return out
