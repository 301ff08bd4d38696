"""Importing this module readies the batch fork server's workers (:func:`footchain.batch._prepare_worker`).

Named last in the batch fork server's preload list (:data:`footchain.batch._PRELOAD`): the fork
server imports it once, after the analysis stack, so that the heap every worker inherits is
already frozen for the garbage collector and the native thread pools are already limited to one
thread. Nothing else imports it.
"""

from __future__ import annotations

from footchain.batch import _prepare_worker

_prepare_worker()
