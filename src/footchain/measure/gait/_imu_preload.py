"""Importing this module warms up the IMU gait analysis (:func:`footchain.measure.gait.imu_events.warm_up`).

Named in the batch fork server's preload list (:data:`footchain.batch._PRELOAD`): the fork server
imports it once, and the worker processes forked from it start with gaitmap's numba code ready.
Nothing else imports it.
"""

from __future__ import annotations

from footchain.measure.gait.imu_events import warm_up

warm_up()
