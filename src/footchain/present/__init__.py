"""Presentation of an assessment: the self-contained HTML report and its body map."""
