"""Tests of footchain.measure.gait on the real recordings in ../shared/data."""
