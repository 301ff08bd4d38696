"""The ``footchain`` command line, run as a real subprocess of the installed script.

Good input gives the contract's JSON, a readable text summary or an HTML file; bad input gives exit
code 2, a short ``footchain: ...`` message on stderr, no traceback and no output file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import footchain
from footchain.types import Health
from tests.shared import CONTRACTS, REPO

FOOTCHAIN = Path(sys.executable).with_name("footchain")
EXAMPLES = sorted((CONTRACTS / "examples").glob("*.json")) + sorted((REPO / "examples").glob("*.json"))
EXAMPLE_IDS = [p.relative_to(REPO).with_suffix("").as_posix() for p in EXAMPLES]
RUNNER = REPO / "examples" / "runner_flat_feet_knee.json"

CONTRACT_KEYS = {
    "schema_version",
    "referral",
    "screening",
    "feet",
    "conditions",
    "chain",
    "unexplained",
    "insole",
    "care_plan",
    "limits",
    "disclaimer",
}
URGENCIES = {"emergency", "urgent", "soon", "routine", "none"}
REFER_TO = {"emergency_department", "doctor", "diabetic_foot_team", "podiatrist", "physiotherapist", None}
ARCH_TYPES = {"flat", "normal", "high", "unknown"}
POSTURES = {"highly_pronated", "pronated", "normal", "supinated", "highly_supinated", "unknown"}
CONFIDENCE = {"high", "moderate", "low"}
CONDITION_SIDES = {"left", "right", "both", None}
EVIDENCE = {"strong", "moderate", "limited", "very_limited", "theoretical"}
CHAIN_LINKS = {"toes", "foot", "ankle", "shin", "knee", "thigh", "hip", "pelvis", "lower_back"}
INSOLE_STATUS = {"recommended", "not_recommended", "deferred"}
INSOLE_ARCH = {"low", "medium", "high", "extra_high", None}
SIZE_KEYS = {"foot_length_mm", "us_men", "us_women", "uk", "eu", "mondopoint", "scale"}
REGIONS = set(
    json.loads((CONTRACTS / "intake.schema.json").read_text(encoding="utf-8"))["$defs"]["region"]["enum"]
)


def run(*args: str | Path, cwd: Path | None = None, **extra_env: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb", **extra_env}
    return subprocess.run(
        [str(FOOTCHAIN), *map(str, args)], capture_output=True, timeout=120, env=env, cwd=cwd, check=False
    )


def text(stream: bytes) -> str:
    return stream.decode("utf-8", errors="replace")


def assess_json(path: Path) -> dict[str, Any]:
    result = run("assess", path, "--format", "json")
    assert result.returncode == 0, text(result.stderr)
    return json.loads(result.stdout)


def test_the_script_is_installed_next_to_the_interpreter() -> None:
    assert FOOTCHAIN.is_file(), FOOTCHAIN
    assert os.access(FOOTCHAIN, os.X_OK)


# ----------------------------------------------------------------------------------------------
# --version, --help


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert text(result.stdout).strip() == f"footchain {footchain.__version__}"
    assert footchain.__version__ == installed_version("footchain")
    assert result.stderr == b""


def test_help_lists_the_assess_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    out = text(result.stdout)
    assert "assess" in out
    assert "--version" in out


def test_assess_help_lists_its_options() -> None:
    result = run("assess", "--help")
    assert result.returncode == 0
    out = text(result.stdout)
    for option in ("--format", "--output", "text", "json", "html"):
        assert option in out


# ----------------------------------------------------------------------------------------------
# assess: the JSON contract


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_json_output_follows_the_assessment_contract(path: Path) -> None:
    intake = json.loads(path.read_text(encoding="utf-8"))
    data = assess_json(path)

    assert set(data) == CONTRACT_KEYS
    assert data["schema_version"] == 1

    referral = data["referral"]
    assert referral["urgency"] in URGENCIES
    assert referral["to"] in REFER_TO
    assert (referral["to"] is None) == (referral["urgency"] == "none")
    assert isinstance(referral["reasons"], list)
    for reason in referral["reasons"]:
        assert isinstance(reason["id"], str) and reason["id"]
        assert isinstance(reason["text"], str) and reason["text"]
    assert bool(referral["reasons"]) == (referral["urgency"] != "none")

    assert set(data["feet"]) == {"left", "right"}
    for foot in data["feet"].values():
        assert foot["arch_type"] in ARCH_TYPES
        assert foot["posture"] in POSTURES
        assert all(isinstance(line, str) for line in foot["basis"])

    present = set()
    for condition in data["conditions"]:
        assert isinstance(condition["id"], str) and condition["id"]
        assert condition["side"] in CONDITION_SIDES
        assert condition["confidence"] in CONFIDENCE
        assert all(isinstance(line, str) for line in condition["because"])
        present.add(condition["id"])

    painful = {(p["region"], p.get("side")) for p in intake.get("pain", [])}
    painful_regions = {region for region, _ in painful}
    for link in data["chain"]:
        assert link["condition"] in present, "chain holds only links from a condition that is present"
        assert link["region"] in REGIONS
        assert link["region"] in painful_regions, "a chain link ends at a region that hurts"
        assert link["side"] in CONDITION_SIDES
        assert link["path"] and set(link["path"]) <= CHAIN_LINKS
        assert link["evidence"] in EVIDENCE
        assert isinstance(link["explanation"], str) and link["explanation"]
        assert link["sources"] and all(isinstance(s, str) and s for s in link["sources"])

    for item in data["unexplained"]:
        assert item["region"] in painful_regions
        assert isinstance(item["text"], str) and item["text"]
        clash = [c for c in data["chain"] if c["region"] == item["region"] and c["side"] == item.get("side")]
        assert not clash, f"{item['region']} is both unexplained and explained by {clash}"

    insole = data["insole"]
    assert insole["status"] in INSOLE_STATUS
    assert insole["arch_height"] in INSOLE_ARCH
    if insole["size"] is not None:
        assert set(insole["size"]) == SIZE_KEYS
        assert 150 <= insole["size"]["foot_length_mm"] <= 350
    for key in ("why", "fitting"):
        assert all(isinstance(line, str) for line in insole[key])
    assert isinstance(insole["expected_benefit"], str)
    if referral["urgency"] in ("emergency", "urgent"):
        assert insole["status"] == "deferred"
        assert insole["arch_height"] is None
    if insole["status"] == "recommended":
        assert insole["arch_height"] is not None

    for item in data["care_plan"]:
        assert {"id", "text", "dose", "for"} <= set(item)
        assert "for_" not in item
        assert all(isinstance(x, str) for x in item["for"])

    assert all(isinstance(line, str) and line for line in data["limits"])
    questions = json.loads((CONTRACTS / "intake.schema.json").read_text(encoding="utf-8"))
    all_questions = set(questions["properties"]["health"]["properties"])
    if set(intake.get("health", {})) < all_questions:
        assert data["limits"], "missing screening answers are listed under limits"
    assert isinstance(data["disclaimer"], str) and data["disclaimer"]


@pytest.mark.parametrize(
    "path",
    [
        CONTRACTS / "examples" / "back_pain_red_flags.json",
        REPO / "examples" / "back_pain_numb_saddle.json",
    ],
    ids=lambda p: p.stem,
)
def test_saddle_numbness_with_back_pain_is_an_emergency(path: Path) -> None:
    data = assess_json(path)
    assert data["referral"]["urgency"] == "emergency"
    assert data["referral"]["to"] == "emergency_department"
    assert data["insole"]["status"] == "deferred"


# ----------------------------------------------------------------------------------------------
# assess: text and HTML


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_text_output_leads_with_the_referral(path: Path) -> None:
    data = assess_json(path)
    urgency = data["referral"]["urgency"]
    result = run("assess", path, "--format", "text")
    assert result.returncode == 0, text(result.stderr)
    out = text(result.stdout)
    complete = data["screening"]["complete"]
    headline = f"What to do first: {urgency if complete or urgency != 'none' else 'not finished'}"
    assert headline in out
    assert out.index(headline) < out.index("Where it hurts")  # the decision before the reasoning
    if urgency in ("emergency", "urgent"):  # nothing routine beside it: no feet table, no insoles
        assert "Your feet" not in out and "Insoles:" not in out
    else:
        assert out.index("Where it hurts") < out.index("Your feet", out.index("Where it hurts"))
    open_emergency = [q for q in data["screening"]["unanswered"] if q["could_mean"] == "emergency"]
    if open_emergency:  # unanswered emergency questions first, or right after an emergency referral
        questions = out.index("Not answered yet" if urgency != "emergency" else "Questions still to answer")
        assert (questions < out.index(headline)) == (urgency != "emergency")
        assert questions < out.index("Where it hurts")
    assert "\x1b[" not in out, "no colour codes when stdout is not a terminal"


def test_text_is_the_default_format() -> None:
    assert run("assess", RUNNER).stdout == run("assess", RUNNER, "--format", "text").stdout


def test_emergency_text_says_where_to_go() -> None:
    result = run("assess", REPO / "examples" / "back_pain_numb_saddle.json")
    assert "Go to an emergency department now." in text(result.stdout)


def test_html_output_is_written_to_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("assess", RUNNER, "--format", "html", "-o", target)
    assert result.returncode == 0, text(result.stderr)
    assert result.stdout == b""
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"], "no temporary files left"


def test_output_into_a_new_folder_creates_it(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "report.json"
    result = run("assess", RUNNER, "--format", "json", "--output", target)
    assert result.returncode == 0, text(result.stderr)
    assert json.loads(target.read_text(encoding="utf-8")) == assess_json(RUNNER)


def test_text_written_to_a_file_has_no_colour_codes(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = run("assess", RUNNER, "-o", target)
    assert result.returncode == 0, text(result.stderr)
    content = target.read_text(encoding="utf-8")
    assert "What to do first:" in content
    assert "\x1b[" not in content


# ----------------------------------------------------------------------------------------------
# Determinism


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_same_intake_gives_byte_identical_json(path: Path) -> None:
    first = run("assess", path, "--format", "json")
    second = run("assess", path, "--format", "json")
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_same_intake_gives_byte_identical_html_for_the_same_date(tmp_path: Path) -> None:
    # The report is dated when it is made; SOURCE_DATE_EPOCH fixes the date (reproducible builds).
    run("assess", RUNNER, "--format", "html", "-o", tmp_path / "a.html", SOURCE_DATE_EPOCH="1796960000")
    run("assess", RUNNER, "--format", "html", "-o", tmp_path / "b.html", SOURCE_DATE_EPOCH="1796960000")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert "Made on 11 December 2026, 03:33 UTC" in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_a_report_on_paper_is_dated_today(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    result = run("assess", RUNNER, "--format", "pdf", "-o", tmp_path / "report.pdf")
    after = datetime.now(UTC)
    assert result.returncode == 0, text(result.stderr)
    words = PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert any(f"Made on {t.day} {t:%B %Y}, " in words for t in (before, after))


# ----------------------------------------------------------------------------------------------
# Bad input: exit 2, "footchain: ..." on stderr, no traceback, no output file

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f"
    "0005fe02fea7d6a4a30000000049454e44ae426082"
)


def _example_text() -> str:
    return RUNNER.read_text(encoding="utf-8")


def _with(**changes: Any) -> str:
    document = json.loads(_example_text())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return json.dumps(document)


BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    # name: (file content, a word the message must contain so a person knows what to fix)
    "invalid JSON": ('{"schema_version": 1, person: {}}', "JSON"),
    "truncated JSON": (_example_text()[: len(_example_text()) // 2], "JSON"),
    "empty file": ("", "JSON"),
    "binary PNG": (PNG_BYTES, "intake.json"),
    "unknown top-level field": (_with(notes="hello"), "notes"),
    "unknown nested field": (_with(person__shoe_size__width="wide"), "person.shoe_size.width"),
    "intensity out of range": (_with(pain__0__intensity=11), "pain[0].intensity"),
    "age out of range": (_with(person__age_years=-1), "person.age_years"),
    "fpi6 item out of range": (_with(feet__fpi6__left__2=3), "feet.fpi6.left[2]"),
    "string for a number": (_with(person__weight_kg="66 kg"), "person.weight_kg"),
    "bool for an integer": (_with(pain__1__intensity=True), "pain[1].intensity"),
    "number for a bool": (_with(health__diabetes=0), "health.diabetes"),
    "unknown enum word": (_with(person__sex="woman"), "person.sex"),
    "schema_version missing": ('{"person": {"age_years": 30}}', "schema_version"),
    "schema_version 2": ('{"schema_version": 2}', "schema_version"),
    "NaN literal": ('{"schema_version": 1, "person": {"weight_kg": NaN}}', "NaN"),
    "Infinity literal": (
        '{"schema_version": 1, "pain": [{"region": "knee", "intensity": 1, "duration_weeks": Infinity}]}',
        "Infinity",
    ),
    "JSON array": ("[" + _example_text() + "]", "object"),
    "JSON string": ('"schema_version: 1"', "object"),
    "UTF-16 text": (_example_text().encode("utf-16"), "intake.json"),
    "lone surrogate in a sport": ('{"schema_version": 1, "activity": {"sports": ["\\ud800"]}}', "sports"),
}


def assert_clean_failure(result: subprocess.CompletedProcess[bytes], must_mention: str) -> str:
    err, out = text(result.stderr), text(result.stdout)
    assert "Traceback" not in err + out, err
    assert result.returncode == 2, f"exit code {result.returncode}: {err}"
    assert err.startswith("footchain: "), err
    assert out == "", "nothing on stdout when the command fails"
    assert len(err.strip().splitlines()) <= 8, err
    assert must_mention in err, f"{must_mention!r} not in {err!r}"
    return err


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("with_output", [False, True], ids=["stdout", "-o"])
def test_bad_intake_files_fail_cleanly(tmp_path: Path, case: str, with_output: bool) -> None:
    content, must_mention = BAD_FILES[case]
    intake = tmp_path / "intake.json"
    if isinstance(content, bytes):
        intake.write_bytes(content)
    else:
        intake.write_text(content, encoding="utf-8")
    target = tmp_path / "out" / "report.html"
    args = ["assess", intake, "--format", "html" if with_output else "json"]
    if with_output:
        args += ["-o", target]
    assert_clean_failure(run(*args), must_mention)
    assert not target.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    target = tmp_path / "report.json"
    assert_clean_failure(run("assess", missing, "--format", "json", "-o", target), "nowhere.json")
    assert not target.exists()


def test_a_folder_instead_of_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "intakes"
    folder.mkdir()
    target = tmp_path / "report.json"
    assert_clean_failure(run("assess", folder, "--format", "json", "-o", target), "intakes")
    assert not target.exists()


def test_a_two_megabyte_file(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    sports = ", ".join(['"running"'] * 200_000)
    big.write_text(f'{{"schema_version": 1, "activity": {{"sports": [{sports}]}}}}', encoding="utf-8")
    assert big.stat().st_size > 2_000_000
    target = tmp_path / "report.json"
    assert_clean_failure(run("assess", big, "--format", "json", "-o", target), "big.json")
    assert not target.exists()


def test_output_whose_parent_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("I am a file", encoding="utf-8")
    target = blocker / "report.html"
    assert_clean_failure(run("assess", RUNNER, "--format", "html", "-o", target), "report.html")
    assert blocker.read_text(encoding="utf-8") == "I am a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_folder"]


def test_output_onto_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    assert_clean_failure(run("assess", RUNNER, "--format", "json", "-o", folder), "reports")
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"], "no temporary files left"


def test_a_failed_run_keeps_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "pain": [{"region": "knee", "intensity": 99}]}', encoding="utf-8")
    assert_clean_failure(run("assess", bad, "--format", "json", "-o", target), "pain[0].intensity")
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "report.json"]


def test_no_warning_signs_found_is_never_said_without_screening_answers(tmp_path: Path) -> None:
    intake = tmp_path / "unscreened.json"
    intake.write_text(json.dumps({"schema_version": 1, "pain": [{"region": "knee", "intensity": 3}]}))
    data = assess_json(intake)
    assert data["referral"]["urgency"] == "none" and data["screening"]["complete"] is False
    out = text(run("assess", intake, "--format", "text").stdout)
    assert "No warning signs found" not in out
    assert "Some warning-sign questions are not answered yet" in out
    assert "Saddle" in out or "saddle" in out, "the open emergency questions are listed"
    html = run("assess", intake, "--format", "html", "--output", tmp_path / "r.html")
    assert html.returncode == 0, text(html.stderr)
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No warning signs found" not in report
    assert report.index('id="unanswered"') < report.index('id="referral"')


def test_no_warning_signs_found_is_said_when_every_question_was_answered(tmp_path: Path) -> None:
    health = {name: False for name in Health.model_fields}
    document = {"schema_version": 1, "person": {"age_years": 40, "sex": "male"}, "health": health}
    intake = tmp_path / "screened.json"
    intake.write_text(json.dumps(document))
    data = assess_json(intake)
    assert data["screening"]["complete"] is True and data["referral"]["urgency"] == "none"
    assert "No warning signs found" in text(run("assess", intake, "--format", "text").stdout)
