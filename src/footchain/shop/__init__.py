"""Insole shopping: read a product catalogue and match it to an assessment's insole plan (issue 7)."""
