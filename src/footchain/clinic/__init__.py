"""Clinic mode's domain logic: follow-up outcomes over visits and gear reminders (no web or store imports).

- ``outcomes``: pain (NPRS) and Patient-Specific Functional Scale verdicts by the meaningful-change
  thresholds of domain.md §7.
- ``gear``: when a top cover, an insole or a shoe wear check is due (domain.md §8).
- ``chart``: the outcomes chart as a self-contained SVG (pages and PDF).
"""
