"""A short fuzzing pass in CI: every parser gets its real seed files and a few dozen mutations of them.

``benchmarks/fuzz.py`` runs the same harness for hours outside CI; this pass keeps every parser in it
(a parser that starts leaking a library's exception, or printing, fails here) at a few seconds each.
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import fuzz, targets

MUTATIONS_PER_PARSER = 15


@pytest.mark.parametrize("name", sorted(targets()))
def test_parser_answers_damaged_files_with_its_own_errors(name: str) -> None:
    target = targets()[name]
    seeds = target.seeds()
    tally = fuzz(target, budget_s=120.0, seed=16, max_inputs=len(seeds) + MUTATIONS_PER_PARSER)
    assert tally.tried == len(seeds) + MUTATIONS_PER_PARSER
    assert tally.failures == {}, tally.failure_messages
    assert tally.timeouts == 0
