"""Demonstration files in INSEE's exact format, for the census themes and
Filosofi when no real file was dropped in `datasets/raw/`.

Values are fictitious but plausible and internally consistent, derived from the
real legal populations and seeded by the commune code (never by global random
state), so the same input always gives byte-identical files. They go through
the same readers as real files; the build marks everything derived from them
`demo = true`.

`generate()` returns the data files only (zips and the Filosofi CSV); each
`meta_` dictionary sits inside its zip or next to its CSV.
"""
from __future__ import annotations

import io
import math
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

#: file families `generate` can stand in for
DEMO_FAMILIES = ("evol_struct_pop", "logement", "emploi_pop_active", "filosofi")

CENSUS_YEAR = 2021
CENSUS_VINTAGES = (2021, 2015, 2010)  # N, N-6, N-11 as in INSEE's base-cc files
FILOSOFI_YEAR = 2021
SECRET_MENAGES = 50  # Filosofi: communes under ~50 fiscal households are secret

# generic variable -> (LIB_VAR, LIB_VAR_LONG); {a} is the year. INSEE's wording.
LABELS = {
    "P_POP": ("Population en {a} (princ)", "Population en {a}"),
    "P_POP0014": ("Pop 0-14 ans en {a} (princ)", "Nombre de personnes de 0 à 14 ans en {a}"),
    "P_POP1529": ("Pop 15-29 ans en {a} (princ)", "Nombre de personnes de 15 à 29 ans en {a}"),
    "P_POP3044": ("Pop 30-44 ans en {a} (princ)", "Nombre de personnes de 30 à 44 ans en {a}"),
    "P_POP4559": ("Pop 45-59 ans en {a} (princ)", "Nombre de personnes de 45 à 59 ans en {a}"),
    "P_POP6074": ("Pop 60-74 ans en {a} (princ)", "Nombre de personnes de 60 à 74 ans en {a}"),
    "P_POP7589": ("Pop 75-89 ans en {a} (princ)", "Nombre de personnes de 75 à 89 ans en {a}"),
    "P_POP90P": ("Pop 90 ans ou plus en {a} (princ)", "Nombre de personnes de 90 ans ou plus en {a}"),
    "P_POPH": ("Pop Hommes en {a} (princ)", "Nombre total d'hommes en {a}"),
    "P_POPF": ("Pop Femmes en {a} (princ)", "Nombre total de femmes en {a}"),
    "P_POP15P": ("Pop 15 ans ou plus en {a} (princ)", "Nombre de personnes de 15 ans ou plus en {a}"),
    "C_POP15P": ("Pop 15 ans ou plus en {a} (compl)", "Nombre de personnes de 15 ans ou plus en {a}"),
    "C_POP15P_CS1": ("Pop 15 ans ou plus Agriculteurs exploitants en {a} (compl)", "Nombre de personnes de 15 ans ou plus Agriculteurs exploitants en {a}"),
    "C_POP15P_CS2": ("Pop 15 ans ou plus Artisans, Comm., Chefs entr. en {a} (compl)", "Nombre de personnes de 15 ans ou plus Artisans, Commerçants, Chefs d'entreprise en {a}"),
    "C_POP15P_CS3": ("Pop 15 ans ou plus Cadres, Prof. intel. sup. en {a} (compl)", "Nombre de personnes de 15 ans ou plus Cadres et Professions intellectuelles supérieures en {a}"),
    "C_POP15P_CS4": ("Pop 15 ans ou plus Prof. intermédiaires  en {a} (compl)", "Nombre de personnes de 15 ans ou plus Professions intermédiaires en {a}"),
    "C_POP15P_CS5": ("Pop 15 ans ou plus Employés en {a} (compl)", "Nombre de personnes de 15 ans ou plus Employés en {a}"),
    "C_POP15P_CS6": ("Pop 15 ans ou plus Ouvriers en {a} (compl)", "Nombre de personnes de 15 ans ou plus Ouvriers en {a}"),
    "C_POP15P_CS7": ("Pop 15 ans ou plus Retraités en {a} (compl)", "Nombre de personnes de 15 ans ou plus Retraités en {a}"),
    "C_POP15P_CS8": ("Pop 15 ans ou plus Autres en {a} (compl)", "Nombre de personnes de 15 ans ou plus Autres sans activité professionnelle en {a}"),
    "C_MEN": ("Ménages en {a} (compl)", "Nombre de ménages en {a}"),
    "C_PMEN": ("Pop Ménages en {a} (compl)", "Nombre de personnes des ménages en {a}"),
    "C_MENPSEUL": ("Ménages 1 personne en {a} (compl)", "Nombre de ménages d'une personne en {a}"),
    "C_MENFAMMONO": ("Mén fam princ Famille mono en {a} (compl)", "Nombre de ménages dont la famille principale est une famille monoparentale en {a}"),
    "P_LOG": ("Logements en {a} (princ)", "Nombre de logements en {a}"),
    "P_RP": ("Résidences principales en {a} (princ)", "Nombre de résidences principales en {a}"),
    "P_RSECOCC": ("Rés secondaires et logts occasionnels en {a} (princ)", "Nombre de résidences secondaires et logements occasionnels en {a}"),
    "P_LOGVAC": ("Logements vacants en {a} (princ)", "Nombre de logements vacants en {a}"),
    "P_MAISON": ("Maisons en {a} (princ)", "Nombre de maisons en {a}"),
    "P_APPART": ("Appartements en {a} (princ)", "Nombre d'appartements en {a}"),
    "P_RP_PROP": ("Rés princ occupées Propriétaires en {a} (princ)", "Nombre de résidences principales occupées par propriétaires en {a}"),
    "P_RP_LOC": ("Rés princ occupées Locataires en {a} (princ)", "Nombre de résidences principales occupées par locataires en {a}"),
    "P_RP_LOCHLMV": ("Rés princ HLM louée vide en {a} (princ)", "Nombre de résidences principales HLM loué vide en {a}"),
    "P_RP_GRAT": ("Rés princ logé gratuit en {a} (princ)", "Nombre de résidences principales occupées gratuitement en {a}"),
    "P_MEN": ("Ménages en {a} (princ)", "Nombre de ménages en {a}"),
    "P_PMEN": ("Pop ménages en {a} (princ)", "Population des ménages en {a}"),
    "P_NBPI_RP": ("Pièces rés princ en {a} (princ)", "Nombre de pièces des résidences principales en {a}"),
    "P_POP1564": ("Pop 15-64 ans en {a} (princ)", "Nombre de personnes de 15 à 64 ans en {a}"),
    "P_POP1524": ("Pop 15-24 ans en {a} (princ)", "Nombre de personnes de 15 à 24 ans en {a}"),
    "P_POP2554": ("Pop 25-54 ans en {a} (princ)", "Nombre de personnes de 25 à 54 ans en {a}"),
    "P_POP5564": ("Pop 55-64 ans en {a} (princ)", "Nombre de personnes de 55 à 64 ans en {a}"),
    "P_ACT1564": ("Actifs 15-64 ans en {a} (princ)", "Nombre de personnes actives de 15 à 64 ans en {a}"),
    "P_ACTOCC1564": ("Actifs occupés 15-64 ans en {a} (princ)", "Nombre de personnes actives occupées de 15 à 64 ans en {a}"),
    "P_CHOM1564": ("Chômeurs 15-64 ans en {a} (princ)", "Nombre de chômeurs de 15 à 64 ans en {a}"),
    "P_INACT1564": ("Inactifs 15-64 ans en {a} (princ)", "Nombre de personnes inactives de 15 à 64 ans en {a}"),
    "P_ACTOCC": ("Actifs occupés en {a} (princ)", "Nombre de personnes actives occupées en {a}"),
    "P_EMPLT": ("Emplois au LT en {a} (princ)", "Nombre d'emplois au lieu de travail en {a}"),
    "P_EMPLT_SAL": ("Emplois salariés au LT en {a} (princ)", "Nombre d'emplois salariés au lieu de travail en {a}"),
    "NBMENFISC": ("Nombre de ménages fiscaux", "Nombre de ménages fiscaux"),
    "NBPERSMENFISC": ("Nombre de personnes dans les ménages fiscaux", "Nombre de personnes dans les ménages fiscaux"),
    "MED": ("Médiane du niveau vie (€)", "Médiane du niveau de vie (€)"),
    "PIMP": ("Part des ménages fiscaux imposés (%)", "Part des ménages fiscaux imposés (%)"),
    "TP60": ("Taux de pauvreté-Ensemble (%)", "Taux de pauvreté-Ensemble (%)"),
    "PACT": ("Part des revenus d'activité (%)", "Part des revenus d'activité (%)"),
    "PTSA": ("dont part des salaires et traitements (%)", "dont part des salaires et traitements (%)"),
    "PPEN": ("Part des pensions, retraites et rentes (%)", "Part des pensions, retraites et rentes (%)"),
    "PPSOC": ("Part de l'ensemble des prestations sociales (%)", "Part de l'ensemble des prestations sociales (%)"),
    "PIMPOT": ("Part des impôts (%)", "Part des impôts (%)"),
    "D1": ("1er décile du niveau de vie (€)", "1er décile du niveau de vie (€)"),
    "D9": ("9e décile du niveau de vie (€)", "9e décile du niveau de vie (€)"),
    "RD": ("Rapport interdécile 9e décile/1er décile", "Rapport interdécile 9e décile/1er décile"),
}

EVOL_VARS = [
    "P_POP", "P_POP0014", "P_POP1529", "P_POP3044", "P_POP4559", "P_POP6074", "P_POP7589", "P_POP90P",
    "P_POPH", "P_POPF", "P_POP15P", "C_POP15P", "C_POP15P_CS1", "C_POP15P_CS2", "C_POP15P_CS3", "C_POP15P_CS4",
    "C_POP15P_CS5", "C_POP15P_CS6", "C_POP15P_CS7", "C_POP15P_CS8", "C_MEN", "C_PMEN", "C_MENPSEUL", "C_MENFAMMONO",
]
LOGEMENT_VARS = [
    "P_LOG", "P_RP", "P_RSECOCC", "P_LOGVAC", "P_MAISON", "P_APPART", "P_RP_PROP", "P_RP_LOC", "P_RP_LOCHLMV",
    "P_RP_GRAT", "P_MEN", "P_PMEN", "P_NBPI_RP",
]
EMPLOI_VARS = [
    "P_POP1564", "P_POP1524", "P_POP2554", "P_POP5564", "P_ACT1564", "P_ACTOCC1564", "P_CHOM1564", "P_INACT1564",
    "P_ACTOCC", "P_EMPLT", "P_EMPLT_SAL",
]
FILOSOFI_VARS = ["NBMENFISC", "NBPERSMENFISC", "MED", "PIMP", "TP60", "PACT", "PTSA", "PPEN", "PPSOC", "PIMPOT", "D1", "D9", "RD"]

AGE_BANDS = ["P_POP0014", "P_POP1529", "P_POP3044", "P_POP4559", "P_POP6074", "P_POP7589", "P_POP90P"]
AGE_SHARES = [0.18, 0.17, 0.18, 0.20, 0.17, 0.08, 0.012]
CS = [f"C_POP15P_CS{i}" for i in range(1, 9)]
CS_SHARES = [0.012, 0.035, 0.07, 0.14, 0.165, 0.16, 0.29, 0.13]


def _rng(*key) -> np.random.Generator:
    """A generator of its own for each (family, commune, vintage): no global state."""
    return np.random.default_rng(zlib.crc32(":".join(map(str, key)).encode("utf-8")))


def _w(x: float) -> float:
    """A weighted-estimate-looking float, as INSEE stores them (15 significant digits)."""
    return float(f"{x:.15g}")


def _fmt(x: float) -> str:
    """Shortest exact text of a float (round-trips: identities stay exact)."""
    if x == 0:
        return "0"
    r = repr(float(x))
    return r[:-2] if r.endswith(".0") else r


def _series(populations: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """code -> (vintages, populations), sorted by vintage."""
    p = populations.dropna(subset=["population"]).sort_values(["code", "millesime"])
    return {
        code: (g["millesime"].to_numpy(dtype=float), g["population"].to_numpy(dtype=float))
        for code, g in p.groupby("code", sort=True)
    }


def _population(pops: dict, code: str, year: int) -> float | None:
    """Population of `year`: the legal population when it exists, else linear
    interpolation, else the nearest vintage moved by the commune's own trend."""
    if code not in pops:
        return None
    years, values = pops[code]
    if years[0] <= year <= years[-1]:
        return float(np.interp(year, years, values))
    if len(years) > 1 and years[-1] > years[0] and values[0] > 0:
        trend = (values[-1] / values[0]) ** (1 / (years[-1] - years[0])) - 1
    else:
        trend = _rng("trend", code).uniform(-0.004, 0.004)
    trend = max(-0.02, min(0.02, trend))
    i = 0 if year < years[0] else -1
    return float(values[i] * (1 + trend) ** (year - years[i]))


def _split(total: float, shares, rng: np.random.Generator, spread: float) -> list[float]:
    w = np.asarray(shares, dtype=float) * rng.uniform(1 - spread, 1 + spread, len(shares))
    w = w / w.sum()
    return [_w(total * x) for x in w]


def _evol(code: str, year: int, pop: float) -> dict[str, float]:
    rng = _rng("evol", code, year)
    v: dict[str, float] = {}
    bands = _split(pop, AGE_SHARES, rng, 0.2)
    v.update(zip(AGE_BANDS, bands))
    v["P_POP"] = sum(bands)
    v["P_POPH"] = _w(v["P_POP"] * rng.uniform(0.47, 0.5))
    v["P_POPF"] = v["P_POP"] - v["P_POPH"]
    v["P_POP15P"] = v["P_POP"] - v["P_POP0014"]
    c15 = v["P_POP15P"] * rng.uniform(0.99, 1.01)
    cs = _split(c15, CS_SHARES, rng, 0.35)
    v.update(zip(CS, cs))
    v["C_POP15P"] = sum(cs)
    v["C_PMEN"] = _w(v["P_POP"] * rng.uniform(0.975, 0.995))
    v["C_MEN"] = _w(v["C_PMEN"] / rng.uniform(2.1, 2.5))
    v["C_MENPSEUL"] = _w(v["C_MEN"] * rng.uniform(0.28, 0.38))
    v["C_MENFAMMONO"] = _w(v["C_MEN"] * rng.uniform(0.08, 0.14))
    return v


def _logement(code: str, year: int, pop: float) -> dict[str, float]:
    rng = _rng("logement", code, year)
    v: dict[str, float] = {}
    rp = _w(pop * rng.uniform(0.975, 0.995) / rng.uniform(2.1, 2.5))
    v["P_RP"] = rp
    v["P_RSECOCC"] = _w(rp * rng.uniform(0.005, 0.05))
    v["P_LOGVAC"] = _w(rp * rng.uniform(0.04, 0.11))
    v["P_LOG"] = (v["P_RP"] + v["P_RSECOCC"]) + v["P_LOGVAC"]
    house = min(0.97, max(0.35, 1.15 - 0.12 * math.log10(max(pop, 10))))
    v["P_MAISON"] = _w(v["P_LOG"] * house * rng.uniform(0.95, 1.0))
    v["P_APPART"] = _w((v["P_LOG"] - v["P_MAISON"]) * rng.uniform(0.9, 0.99))
    v["P_RP_PROP"] = _w(rp * rng.uniform(0.5, 0.8))
    v["P_RP_LOC"] = _w((rp - v["P_RP_PROP"]) * rng.uniform(0.9, 0.97))
    v["P_RP_GRAT"] = rp - v["P_RP_PROP"] - v["P_RP_LOC"]
    v["P_RP_LOCHLMV"] = _w(v["P_RP_LOC"] * rng.uniform(0.15, 0.6))
    v["P_MEN"] = rp
    v["P_PMEN"] = _w(pop * rng.uniform(0.975, 0.995))
    v["P_NBPI_RP"] = _w(rp * rng.uniform(3.9, 4.8))
    return {k: max(0.0, x) for k, x in v.items()}


def _emploi(code: str, year: int, pop: float) -> dict[str, float]:
    rng = _rng("emploi", code, year)
    v: dict[str, float] = {}
    p1564 = pop * rng.uniform(0.6, 0.65)
    act = p1564 * rng.uniform(0.68, 0.77)
    v["P_CHOM1564"] = _w(act * rng.uniform(0.07, 0.18))
    v["P_ACTOCC1564"] = _w(act - v["P_CHOM1564"])
    v["P_ACT1564"] = v["P_ACTOCC1564"] + v["P_CHOM1564"]
    v["P_INACT1564"] = _w(p1564 - v["P_ACT1564"])
    v["P_POP1564"] = v["P_ACT1564"] + v["P_INACT1564"]
    v["P_POP1524"] = _w(v["P_POP1564"] * rng.uniform(0.16, 0.2))
    v["P_POP5564"] = _w(v["P_POP1564"] * rng.uniform(0.19, 0.24))
    v["P_POP2554"] = v["P_POP1564"] - v["P_POP1524"] - v["P_POP5564"]
    v["P_ACTOCC"] = _w(v["P_ACTOCC1564"] * rng.uniform(1.01, 1.04))
    concentration = min(1.8, max(0.12, 0.2 + 0.3 * math.log10(max(pop, 10) / 300) + rng.uniform(-0.1, 0.1)))
    v["P_EMPLT"] = _w(v["P_ACTOCC"] * concentration)
    v["P_EMPLT_SAL"] = _w(v["P_EMPLT"] * rng.uniform(0.84, 0.93))
    return v


def _comma(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


def _filosofi(code: str, pop: float) -> dict[str, str]:
    """One Filosofi row as INSEE writes it: `s` when secret, decimal commas."""
    rng = _rng("filosofi", code, FILOSOFI_YEAR)
    pers = pop * rng.uniform(0.95, 0.99)
    men = pers / rng.uniform(2.15, 2.45)
    if men < SECRET_MENAGES:
        return {v: "s" for v in FILOSOFI_VARS}
    med = rng.uniform(18500, 24500)
    d1 = med * rng.uniform(0.5, 0.6)
    d9 = med * rng.uniform(1.7, 2.05)
    tp60 = max(5.0, 38 - med / 900 + rng.uniform(-3, 3))  # INSEE publishes 5 under 5 %
    pact = rng.uniform(62, 75)
    ppen = rng.uniform(24, 36)
    psoc = rng.uniform(4, 12)
    return {
        "NBMENFISC": _fmt(round(men)),
        "NBPERSMENFISC": _comma(pers, 1),
        "MED": _fmt(round(med / 10) * 10),
        "PIMP": _comma(rng.uniform(35, 55), 1),
        "TP60": _comma(tp60, 1),
        "PACT": _comma(pact, 1),
        "PTSA": _comma(pact * rng.uniform(0.85, 0.92), 1),
        "PPEN": _comma(ppen, 1),
        "PPSOC": _comma(psoc, 1),
        "PIMPOT": _comma(-rng.uniform(11, 16), 1),
        "D1": _fmt(round(d1 / 10) * 10),
        "D9": _fmt(round(d9 / 10) * 10),
        "RD": _comma(d9 / d1, 1),
    }


def _prefixed(var: str, year: int) -> str:
    """`P_LOG`, 2021 -> `P21_LOG`."""
    return f"{var[0]}{year % 100:02d}{var[1:]}"


def _meta(columns: list[tuple[str, str, int]], communes: pd.DataFrame) -> bytes:
    """An INSEE `meta_` dictionary: one row per variable, then CODGEO's modalities."""
    lines = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    for column, var, year in columns:
        short, long_ = LABELS[var]
        lines.append(f"{column};{short.format(a=year)};{long_.format(a=year)};;;NUM;17")
    for code, nom in zip(communes["code"], communes["nom"]):
        lines.append(f"CODGEO;Code commune;Code commune;{code};{nom};CHAR;5")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """A zip whose bytes depend only on its content (fixed dates and modes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 6, 27, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _census_file(out_dir: Path, theme: str, variables: list[str], make, pops, communes) -> Path:
    columns = [(_prefixed(v, y), v, y) for y in CENSUS_VINTAGES for v in variables]
    rows = []
    for code in communes["code"]:
        row = [code]
        for year in CENSUS_VINTAGES:
            pop = _population(pops, code, year)
            values = make(code, year, pop) if pop is not None else {}
            row += [_fmt(values[v]) if v in values else "" for v in variables]
        rows.append(row)
    stem = f"base-cc-{theme}-{CENSUS_YEAR}"
    path = out_dir / f"{stem}_csv.zip"
    _write_zip(path, [(f"{stem}.CSV", _csv(["CODGEO"] + [c[0] for c in columns], rows)),
                      (f"meta_{stem}.CSV", _meta(columns, communes))])
    return path


def generate(out_dir, populations: pd.DataFrame, communes: pd.DataFrame) -> list[Path]:
    """Write the demonstration files for `communes` (code, nom, …) from
    `populations` (code, millesime, population); return the data files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    communes = communes[["code", "nom"]].astype({"code": str}).drop_duplicates("code").sort_values("code").reset_index(drop=True)
    pops = populations[["code", "millesime", "population"]].astype({"code": str})
    pops = _series(pops[pops["code"].isin(set(communes["code"]))])
    paths = [
        _census_file(out_dir, "evol-struct-pop", EVOL_VARS, _evol, pops, communes),
        _census_file(out_dir, "logement", LOGEMENT_VARS, _logement, pops, communes),
        _census_file(out_dir, "emploi-pop-active", EMPLOI_VARS, _emploi, pops, communes),
    ]
    yy = f"{FILOSOFI_YEAR % 100:02d}"
    rows = []
    for code in communes["code"]:
        pop = _population(pops, code, FILOSOFI_YEAR)
        values = _filosofi(code, pop) if pop is not None else {}
        rows.append([code] + [values.get(v, "") for v in FILOSOFI_VARS])
    stem = f"cc_filosofi_{FILOSOFI_YEAR}_COM"
    data = out_dir / f"{stem}.csv"
    data.write_bytes(_csv(["CODGEO"] + [v + yy for v in FILOSOFI_VARS], rows))
    (out_dir / f"meta_{stem}.csv").write_bytes(_meta([(v + yy, v, FILOSOFI_YEAR) for v in FILOSOFI_VARS], communes))
    paths.append(data)
    return paths
