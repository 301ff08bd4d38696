"""MkDocs hooks: tables generated from the knowledge files and the data registry at build time.

A page asks for a table with an HTML comment on a line of its own, e.g. ``<!-- generated: chain -->``;
the comment is replaced by a Markdown table made from ``src/footchain/knowledge/*.toml`` or
``src/footchain/data_registry.toml``, so the documentation cannot drift from the files the engine
reads. An unknown name fails the build.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "src" / "footchain" / "knowledge"
MARKER = re.compile(r"^<!-- generated: ([a-z_-]+) -->$", re.M)


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((KNOWLEDGE / name).read_text(encoding="utf-8"))


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif value is None:
        value = ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def chain() -> str:
    links = _toml("chain.toml")["link"]
    return _table(
        ["link", "foot finding", "painful region", "evidence", "sources"],
        (
            [
                f"`{link['id']}`",
                link["conditions"],
                link["regions"],
                link["evidence"].replace("_", " "),
                link.get("sources", link.get("source", "")),
            ]
            for link in links
        ),
    )


def redflags() -> str:
    rules = _toml("redflags.toml")["rule"]
    return _table(
        ["rule", "urgency", "to", "fires on", "source", "grade"],
        (
            [
                f"`{rule['id']}`",
                rule["urgency"],
                rule.get("to", "").replace("_", " "),
                rule.get("any", rule.get("all", "")) or "(combined conditions)",
                rule.get("source", ""),
                rule.get("grade", ""),
            ]
            for rule in rules
        ),
    )


def care() -> str:
    items = _toml("care.toml")["item"]
    return _table(
        ["item", "safety", "dose", "not when", "source"],
        (
            [
                f"`{item['id']}`",
                item.get("safety", False),
                item.get("dose", ""),
                item.get("avoid_if", []),
                item["source"],
            ]
            for item in items
        ),
    )


def thresholds() -> str:
    data = _toml("thresholds.toml")
    rows: list[list[Any]] = []

    def walk(prefix: str, table: dict[str, Any]) -> None:
        if "source" in table:
            values = {k: v for k, v in table.items() if k not in {"source", "grade"}}
            shown = "; ".join(f"{k} = {v}" for k, v in values.items() if not isinstance(v, dict))
            rows.append([f"`{prefix}`", shown, table["source"], table.get("grade", "")])
        for key, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{key}" if prefix else key, value)

    walk("", data)
    return _table(["setting", "values", "source", "grade"], rows)


def data_sources() -> str:
    registry = tomllib.loads((REPO / "src" / "footchain" / "data_registry.toml").read_text(encoding="utf-8"))
    files = registry["files"]
    return _table(
        ["folder", "data set", "licence", "files", "home"],
        (
            [
                f"`{key}/`",
                source["title"],
                source["licence"],
                sum(1 for entry in files.values() if entry["source"] == key),
                f"<{source['home']}>",
            ]
            for key, source in registry["sources"].items()
        ),
    )


def data_made() -> str:
    registry = tomllib.loads((REPO / "src" / "footchain" / "data_registry.toml").read_text(encoding="utf-8"))
    return _table(
        ["file", "made from", "how"],
        (
            [f"`{name}`", f"<{e['url']}>", e["made"]]
            for name, e in registry["files"].items()
            if e.get("made_by")
        ),
    )


TABLES: dict[str, Callable[[], str]] = {
    "chain": chain,
    "redflags": redflags,
    "care": care,
    "thresholds": thresholds,
    "data-sources": data_sources,
    "data-made": data_made,
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise ValueError(f"unknown generated table {name!r}; known: {sorted(TABLES)}")
        return TABLES[name]()

    return MARKER.sub(replace, markdown)
