"""API fuzzing with schemathesis, longer than the suite's pass: every operation of ``/openapi.json``,
anonymous, as a clinician and as an admin, with the suite's checks (``--all-checks``: every one).

Run: ``.venv/bin/python benchmarks/api_fuzz.py [--examples 200]``. It runs
``tests/web/test_api_schema_fuzz.py`` with ``SCHEMA_FUZZ_EXAMPLES`` and prints a table: the
operation × role cases, how many passed, the requests generated (counted by a hook), and the failures
by schemathesis check code (ST1xx: ST103 undocumented status code, ST105 undocumented content type,
ST108 response violates schema, ST202 schema-valid request rejected; any 5xx is "server error").
A benchmark reports; it never fails the build.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="examples per operation and role")
    parser.add_argument(
        "--all-checks",
        action="store_true",
        help="also positive_data_acceptance (its 422s are content judgments; see the test module)",
    )
    args = parser.parse_args()
    count_file = Path(tempfile.mkdtemp(prefix="footchain-api-fuzz-")) / "requests.txt"
    env = {
        **os.environ,
        "SCHEMA_FUZZ_EXAMPLES": str(args.examples),
        "SCHEMA_FUZZ_COUNT_FILE": str(count_file),
    }
    if args.all_checks:
        env["SCHEMA_FUZZ_ALL_CHECKS"] = "1"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/web/test_api_schema_fuzz.py", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = run.stdout
    codes = collections.Counter(re.findall(r"- (ST\d+ [^\n]+)", out))
    servers = len(re.findall(r"\[5\d\d\]", out))
    summary = re.search(r"(\d+) passed", out), re.search(r"(\d+) failed", out)
    requests = count_file.read_text() if count_file.exists() else "?"
    passed = int(summary[0].group(1)) if summary[0] else 0
    failed = int(summary[1].group(1)) if summary[1] else 0
    print(f"{'operation × role cases':<34} {passed + failed:>8}")
    print(f"{'passed':<34} {passed:>8}")
    print(f"{'failed':<34} {failed:>8}")
    print(f"{'generated requests':<34} {requests:>8}")
    print(f"{'5xx answers':<34} {servers:>8}")
    for code, count in sorted(codes.items()):
        print(f"  {code:<32} {count:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
