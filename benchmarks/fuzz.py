"""Fuzz footchain's parsers with mutated copies of the real files, and print what was found.

Run: ``.venv/bin/python benchmarks/fuzz.py --parser NAME --budget SECONDS [--seed N] [--save DIR]``
(``--parser all`` or a comma-separated list runs each for the budget; ``--list`` names them).

Each parser gets its seed files (the real recordings of ``../shared/data``; made images; the example
intakes and catalogue) and then mutations of them (``tests/fuzz/harness.py`` says which). Footchain's
own errors are the expected answer to a damaged file; any other exception is a failure, counted once
per type and place, and so is anything a library prints to the terminal. The table: inputs tried,
inputs per second, unique failures, time-outs (an input over 5 s of CPU time, or 60 s of wall time),
the slowest input (CPU seconds) and the process's peak memory. Failing inputs are written to ``--save`` (default ``build/fuzz-failures``) so
that each becomes a regression test in ``tests/fuzz/``.

A benchmark reports; it never fails the build. Long runs belong in the background at low priority:
``nice -n 19 .venv/bin/python benchmarks/fuzz.py --parser pressure-footscan --budget 3600``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.harness import fuzz, peak_memory_mb, save_failures, targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parser", default="all", help="parser names, comma-separated (see --list), or 'all'"
    )
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per parser")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the mutations")
    parser.add_argument("--save", type=Path, default=Path("build/fuzz-failures"))
    parser.add_argument("--list", action="store_true", help="name the parsers and stop")
    args = parser.parse_args()
    known = targets()
    if args.list:
        print("\n".join(known))
        return 0
    names = list(known) if args.parser == "all" else args.parser.split(",")
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown parser {unknown[0]!r}; choose one of: {', '.join(known)}", file=sys.stderr)
        return 2
    header = (
        f"{'parser':<20} {'inputs':>10} {'per s':>8} {'failures':>9} {'time-outs':>10} "
        f"{'slowest CPU s':>13} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    found = []
    for name in names:
        tally = fuzz(known[name], budget_s=args.budget, seed=args.seed)
        print(
            f"{name:<20} {tally.tried:>10,} {tally.rate:>8.0f} {len(tally.failures):>9} "
            f"{tally.timeouts:>10} {tally.slowest_s:>13.2f} {peak_memory_mb():>8.0f}",
            flush=True,
        )
        if tally.failures or tally.timeouts:
            found.extend(save_failures(tally, args.save, name))
            for (kind, place), message in tally.failure_messages.items():
                print(f"    {kind} at {place}: {message[:160]!r}", flush=True)
    if found:
        print(f"\n{len(found)} failing inputs written to {args.save}/")
    print("\nfailures: exceptions other than footchain's own errors, or library output on the terminal;")
    print(
        "time-outs: inputs over 5 s of CPU (or 60 s of wall time); peak MB: the process's peak resident memory."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
