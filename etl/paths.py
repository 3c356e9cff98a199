"""Where things live. Every path can be overridden by an environment variable so
that tests and benchmarks can build into temporary folders."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def territory_file() -> Path:
    return _env_path("CHIFFRES_CLEFS_TERRITORY", DATASETS / "territory.toml")


def reference_dir() -> Path:
    return _env_path("CHIFFRES_CLEFS_REFERENCE", DATASETS / "reference")


def partners_dir() -> Path:
    return _env_path("CHIFFRES_CLEFS_PARTNERS", DATASETS / "partners")


def raw_dir() -> Path:
    return _env_path("CHIFFRES_CLEFS_RAW", DATASETS / "raw")


def embedded_dir() -> Path:
    """Derived real extracts read on every build (`python -m etl embed`)."""
    return _env_path("CHIFFRES_CLEFS_EMBEDDED", DATASETS / "embedded")


def warehouse_dir() -> Path:
    return _env_path("CHIFFRES_CLEFS_WAREHOUSE", DATASETS / "warehouse")


CATALOGUE = DATASETS / "catalogue.csv"
VARIABLES = DATASETS / "variables.csv"
SOURCES = DATASETS / "sources.toml"
