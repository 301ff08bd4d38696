"""The worker preparation of a local batch, as a Dask worker plugin (:class:`PrepareWorker`).

Kept apart from :mod:`footchain.batch` because it subclasses ``distributed``'s
:class:`~distributed.diagnostics.plugin.WorkerPlugin`, and ``distributed`` is an optional
dependency: only :func:`footchain.batch._run_on_dask` imports this module.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from footchain.batch import _PRELOAD, _prepare_worker


class PrepareWorker(WorkerPlugin):
    """Import the analysis stack in each Dask worker, then freeze the heap (:func:`_prepare_worker`).

    Does for every worker of the cluster, once, what the local fork server does before it forks:
    import the modules of :data:`footchain.batch._PRELOAD` (so gaitmap's numba code is ready
    before the first IMU trial, see :mod:`footchain.measure.gait._imu_preload`), then freeze
    what they left in memory, so that the garbage collections that readers trigger do not walk
    the whole stack again, and limit native thread pools to one thread (Dask's nanny already sets
    ``OMP_NUM_THREADS=1``; threadpoolctl covers a worker started without one). Workers that join
    the cluster later run it too when they start.

    ``idempotent``: registered once per scheduler; a second batch on the same cluster finds it
    there and costs one round trip. ``setup`` blocks the worker's event loop while it imports
    (about 2 s the first time), which the worker's first task would otherwise spend.
    """

    name = "footchain-batch-prepare-worker"
    idempotent = True

    def setup(self, worker: Any) -> None:
        for module in _PRELOAD:
            try:
                import_module(module)
            except ImportError:  # as the fork server does: a module numba dropped
                continue
        _prepare_worker()
