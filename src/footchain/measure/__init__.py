"""Measuring feet and gait from real inputs: footprints, pressure frames and gait recordings."""
