"""Shared fixtures: where the real INSEE files are, and a warehouse built from
the embedded default into a temporary folder (the ETL tests never touch
datasets/warehouse, which the page tests read)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# ../shared/data next to the project, or next to the folder of worktrees (/work/wt/<name>)
SHARED_DATA = next((p / "shared" / "data" for p in ROOT.parents[:2] if (p / "shared" / "data").exists()),
                   ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"real INSEE files not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def default_build(tmp_path_factory):
    """The embedded default (no raw file: census themes in demonstration) built once."""
    from etl import build

    base = tmp_path_factory.mktemp("default-build")
    raw = base / "raw"
    raw.mkdir()
    target = base / "warehouse"
    logs: list[str] = []
    build.build(raw_dir=raw, target=target, log=logs.append)
    return target, logs


@pytest.fixture(scope="session", autouse=True)
def _app_warehouse():
    """Page tests read datasets/warehouse (`make test` builds it first); build it
    here too when pytest is run on its own."""
    from etl import build

    if build.is_stale() is not None:
        build.build(log=lambda _: None)
