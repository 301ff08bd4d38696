"""Footprint measurement: photos on the calibration sheet, scans and pressure frames → arch indices and size."""
