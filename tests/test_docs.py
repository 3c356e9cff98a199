"""Docs that cannot drift: every project path and module the docs and the README name exists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOPS = ("pages", "components", "datasets", "etl", "tests", "bench", "docs", "deploy", "loadtest")
PATH = re.compile(r"(?<![\w/.-])((?:app\.py|Makefile|(?:%s)/[\w./*-]*))" % "|".join(TOPS))
MODULE = re.compile(r"python -m ([A-Za-z_][\w.]*)")
GENERATED = ("datasets/raw", "datasets/warehouse", "datasets/.warehouse-", "tests/artifacts", "bench/results")
EXTENSIONS = {".py", ".md", ".csv", ".toml", ".json", ".geojson", ".sh", ".txt", ".template", ".env", ".yml",
              ".yaml", ".parquet", ".conf", ".html", ".sql", ".zip", ".svg", ".png"}


def named(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    return sorted({m.rstrip(".,:;)") for m in PATH.findall(text)})


def exists(name: str) -> bool:
    if name.startswith(GENERATED):
        return True
    if "*" in name:
        return any(ROOT.glob(name))
    path = ROOT / name
    if path.exists():
        return True
    # `components/sections.theme_page`: a module and one of its names
    head, _, tail = name.rpartition("/")
    stem, dot, _attr = tail.partition(".")
    return bool(dot) and "." + _attr.split(".")[0] not in EXTENSIONS and (ROOT / head / f"{stem}.py").exists()


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_path_named_in_the_docs_exists(doc):
    assert named(doc) or doc.name != "architecture.md"  # the pattern finds what it must
    missing = [n for n in named(doc) if not exists(n)]
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_module_run_in_the_docs_exists(doc):
    missing = []
    for module in set(MODULE.findall(doc.read_text(encoding="utf-8"))):
        base = ROOT / module.replace(".", "/")
        if module.split(".")[0] in ("pytest", "pip", "venv", "http", "playwright", "streamlit"):
            continue
        if not (base.with_suffix(".py").exists() or (base / "__main__.py").exists()):
            missing.append(module)
    assert missing == [], f"{doc.name} runs modules that do not exist: {missing}"


def test_the_check_finds_a_missing_path(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("See `etl/harmonise.py` and components/context.py.", encoding="utf-8")
    assert named(doc) == ["components/context.py", "etl/harmonise.py"]
    assert [n for n in named(doc) if not exists(n)] == ["etl/harmonise.py"]
