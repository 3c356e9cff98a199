"""The benchmarks still run: `python -m bench --smoke` (one repetition, tiny inputs)
produces every section. No timing is asserted: timings belong to BENCHMARKS.md."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    # scale in smoke mode uses the embedded territory: no registry access
    env = dict(os.environ, CHIFFRES_CLEFS_BENCH_CACHE=str(out.parent / "cache"))  # generated inputs stay in tmp
    p = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--json", str(out)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    return p, json.loads(out.read_text(encoding="utf-8")) if out.exists() else None


def test_every_benchmark_runs_and_reports_its_section(smoke):
    p, data = smoke
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    titles = [s["title"] for s in data["sections"]]
    assert titles[0] == "Machine"
    for prefix in ("1. ETL", "2. Named queries", "3. Page reruns", "4. Browser", "5. Exports",
                   "6. Scale: ETL", "6. Scale: named queries", "6. Scale: page reruns", "6. Scale: browser"):
        assert any(t.startswith(prefix) for t in titles), (prefix, titles)
    assert not any("FAILED" in t for t in titles)
    for title in titles:
        assert f"## {title}" in p.stdout


def test_machine_section_names_cores_and_commit(smoke):
    _, data = smoke
    machine = {r[0]: r[1] for r in data["sections"][0]["rows"]}
    assert int(machine["cores (os.cpu_count)"]) >= 1
    assert machine["commit"] != ""


def test_sections_hold_measurements(smoke):
    _, data = smoke
    by = {s["title"].split(" (")[0]: s for s in data["sections"]}
    etl = by["1. ETL"]["data"]
    assert any(r["run"].startswith("build, embedded default") and r["median_s"] > 0 and r["peak_mb"] > 0 for r in etl)
    assert any(r["run"].startswith("read + aggregate, national") for r in etl)
    queries = [r for r in by["2. Named queries"]["data"] if r.get("kind") == "query"]
    assert {"chiffres_cles(commune)", "geojson()", "valeurs(3 indicators × 3 territories)"} <= {r["query"] for r in queries}
    assert all(r["warm_s"] >= 0 and r["cold_s"] >= 0 for r in queries)
    pages = by["3. Page reruns"]["data"]
    assert {r["territory"] for r in pages} == {"whole territory", "commune 62119"}
    assert not [r for r in pages if "error" in r], "a page failed while being measured"
    assert all(r["median_s"] > 0 for r in pages)
    browser = by["4. Browser"]
    if browser["data"]:
        kinds = {r.get("kind") for r in browser["data"]}
        assert {"first_chart", "first_chart_cached", "switch", "switch_settled", "change", "rss"} <= kinds
    else:
        assert any("not measured" in n for n in browser["notes"])
    exports = {r.get("fmt") for r in by["5. Exports"]["data"]}
    assert "csv" in exports and "xlsx" in exports


def test_report_is_markdown_with_tables(smoke):
    p, _ = smoke
    assert "| query | cold median ms |" in p.stdout
    assert "|---|" in p.stdout
