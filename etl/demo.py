"""Demonstration files in INSEE's exact format, for the census themes and
Filosofi when no real file was dropped in `datasets/raw/`.

They cover every commune they are given: the build gives them every commune of
France (`datasets/reference/communes_france.csv.gz`), so that département,
région and France values exist for every demonstration indicator, computed by
the build from the communes exactly as for a real national file. Filosofi also
ships its published levels (EPCI, DEP, REG, METRO members, as INSEE's zip),
whose medians are not sums of communes.

Values are fictitious but plausible and internally consistent (LOG = RP +
RSECOCC + LOGVAC and ACT = ACTOCC + CHOM exactly; age bands, sexes and
socio-professional groups add up), derived from the real legal populations.
Every random draw is a hash of (commune code, family, vintage, draw number):
no global random state, no dependence on the order or the set of communes
given, so the same commune always gets the same values and the same input
always gives byte-identical files. Generation is vectorised (numpy arrays over
all communes, one per variable; CSV text written by Arrow): about 35 000
communes × 3 vintages in well under a second of CPU (BENCHMARKS.md, ETL).

The files go through the same readers as real files; the build marks
everything derived from them `demo = true`. Mayotte (976) is left out, as in
INSEE's census *bases chiffres clés* and Filosofi communal files.

`generate()` returns the data files only (the census zips and the Filosofi
zip); each `meta_` dictionary sits inside its zip.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

#: file families `generate` can stand in for
DEMO_FAMILIES = ("evol_struct_pop", "logement", "emploi_pop_active", "filosofi")

CENSUS_YEAR = 2021
CENSUS_VINTAGES = (2021, 2015, 2010)  # N, N-6, N-11 as in INSEE's base-cc files
FILOSOFI_YEAR = 2021
SECRET_MENAGES = 50  # Filosofi: communes under ~50 fiscal households are secret
#: Filosofi's published levels written besides the communes, as in INSEE's zip
#: (member suffix -> column of the communes table naming the level's code)
FILOSOFI_LEVELS = {"EPCI": "epci", "DEP": "departement", "REG": "region", "METRO": None}
METRO_CODE = "1"  # INSEE's code of France métropolitaine in cc_filosofi_AAAA_METRO.csv
EXCLUDED_DEPARTEMENTS = ("976",)  # Mayotte: not in INSEE's census bases nor Filosofi's communes

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


# --- deterministic draws ------------------------------------------------------

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser over uint64 arrays (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _code_keys(codes) -> np.ndarray:
    """A 64-bit key per code (up to 16 ASCII characters), from its bytes."""
    raw = np.asarray(codes, dtype="S16").view("<u8").reshape(-1, 2)
    return _mix(raw[:, 0] ^ _mix(raw[:, 1] + np.uint64(0x5851F42D4C957F2D)))


def _salt(*key) -> np.uint64:
    return np.uint64(zlib.crc32(":".join(map(str, key)).encode("utf-8")) * 0x100000001B3 & 0xFFFFFFFFFFFFFFFF)


class _Draws:
    """Uniform draws in [0, 1) for one (family, vintage) and every code: draw
    number k of a code is a hash of (code, family, vintage, k)."""

    def __init__(self, keys: np.ndarray, *what) -> None:
        self.keys, self.what, self.k = keys, what, 0

    def uniform(self, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        self.k += 1
        with np.errstate(over="ignore"):
            h = _mix(self.keys ^ _salt(*self.what, self.k))
        return low + (high - low) * ((h >> np.uint64(11)).astype("float64") * 2.0 ** -53)


def _w(x: np.ndarray) -> np.ndarray:
    """Weighted-estimate-looking floats, as INSEE stores them (15 significant
    digits); 0 and NaN stay as they are."""
    x = np.asarray(x, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (14 - np.floor(np.log10(np.abs(x))))
        out = np.round(x * scale) / scale
    return np.where(np.isfinite(out), out, x)


# --- populations ---------------------------------------------------------------

def _population_matrix(populations: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(vintages, communes × vintages matrix of legal populations, NaN where absent)."""
    p = populations.dropna(subset=["population"])
    code = p["code"].to_numpy(dtype=str)
    row = pd.Index(codes).get_indexer(code)
    years, col = np.unique(p["millesime"].to_numpy(dtype="float64"), return_inverse=True)
    matrix = np.full((len(codes), len(years)), np.nan)
    known = row >= 0
    matrix[row[known], col[known]] = p["population"].to_numpy(dtype="float64")[known]
    return years, matrix


def _population(years: np.ndarray, matrix: np.ndarray, keys: np.ndarray, year: int) -> np.ndarray:
    """Population of `year` for every commune: the legal population when it
    exists, else linear interpolation between the nearest vintages, else the
    nearest vintage moved by the commune's own trend (first to last vintage,
    within ±2 % a year; a commune with one vintage gets a small drawn trend).
    NaN for a commune with no population at all."""
    n = matrix.shape[0]
    out = np.full(n, np.nan)
    if n == 0 or len(years) == 0:
        return out
    have = ~np.isnan(matrix)
    big = np.where(have, years, np.inf)
    small = np.where(have, years, -np.inf)
    first_y, last_y = big.min(axis=1), small.max(axis=1)
    rows = np.arange(n)
    any_pop = have.any(axis=1)
    first_v = matrix[rows, np.where(have, years, np.inf).argmin(axis=1)]
    last_v = matrix[rows, np.where(have, years, -np.inf).argmax(axis=1)]
    # interpolation between the vintages on each side of `year`
    below = np.where(have & (years <= year), years, -np.inf)
    above = np.where(have & (years >= year), years, np.inf)
    lo_i, hi_i = below.argmax(axis=1), above.argmin(axis=1)
    lo_y, hi_y = years[lo_i], years[hi_i]
    lo_v, hi_v = matrix[rows, lo_i], matrix[rows, hi_i]
    inside = any_pop & (first_y <= year) & (year <= last_y)
    before = any_pop & (year < first_y)
    after = any_pop & (year > last_y)
    drawn = _Draws(keys, "trend").uniform(-0.004, 0.004)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.where(hi_y > lo_y, (year - lo_y) / (hi_y - lo_y), 0.0)
        out[inside] = (lo_v + (hi_v - lo_v) * t)[inside]
        span = last_y - first_y
        trend = np.where((span > 0) & (first_v > 0), (last_v / first_v) ** (1 / np.where(span > 0, span, 1)) - 1, np.nan)
        trend = np.clip(np.where(np.isnan(trend), drawn, trend), -0.02, 0.02)
        out[before] = (first_v * (1 + trend) ** (year - first_y))[before]
        out[after] = (last_v * (1 + trend) ** (year - last_y))[after]
    return out


# --- the census themes: one array per variable, over all communes --------------

def _split(total: np.ndarray, shares, d: _Draws, spread: float) -> list[np.ndarray]:
    w = np.column_stack([s * d.uniform(1 - spread, 1 + spread) for s in shares])
    w = w / w.sum(axis=1, keepdims=True)
    return [_w(total * w[:, j]) for j in range(len(shares))]


def _evol(keys: np.ndarray, year: int, pop: np.ndarray) -> dict[str, np.ndarray]:
    d = _Draws(keys, "evol", year)
    v: dict[str, np.ndarray] = {}
    bands = _split(pop, AGE_SHARES, d, 0.2)
    v.update(zip(AGE_BANDS, bands))
    v["P_POP"] = np.sum(bands, axis=0)
    v["P_POPH"] = _w(v["P_POP"] * d.uniform(0.47, 0.5))
    v["P_POPF"] = v["P_POP"] - v["P_POPH"]
    v["P_POP15P"] = v["P_POP"] - v["P_POP0014"]
    c15 = v["P_POP15P"] * d.uniform(0.99, 1.01)
    cs = _split(c15, CS_SHARES, d, 0.35)
    v.update(zip(CS, cs))
    v["C_POP15P"] = np.sum(cs, axis=0)
    v["C_PMEN"] = _w(v["P_POP"] * d.uniform(0.975, 0.995))
    v["C_MEN"] = _w(v["C_PMEN"] / d.uniform(2.1, 2.5))
    v["C_MENPSEUL"] = _w(v["C_MEN"] * d.uniform(0.28, 0.38))
    v["C_MENFAMMONO"] = _w(v["C_MEN"] * d.uniform(0.08, 0.14))
    return v


def _logement(keys: np.ndarray, year: int, pop: np.ndarray) -> dict[str, np.ndarray]:
    d = _Draws(keys, "logement", year)
    v: dict[str, np.ndarray] = {}
    rp = _w(pop * d.uniform(0.975, 0.995) / d.uniform(2.1, 2.5))
    v["P_RP"] = rp
    v["P_RSECOCC"] = _w(rp * d.uniform(0.005, 0.05))
    v["P_LOGVAC"] = _w(rp * d.uniform(0.04, 0.11))
    v["P_LOG"] = (v["P_RP"] + v["P_RSECOCC"]) + v["P_LOGVAC"]
    house = np.clip(1.15 - 0.12 * np.log10(np.maximum(np.nan_to_num(pop, nan=10.0), 10)), 0.35, 0.97)
    v["P_MAISON"] = _w(v["P_LOG"] * house * d.uniform(0.95, 1.0))
    v["P_APPART"] = _w((v["P_LOG"] - v["P_MAISON"]) * d.uniform(0.9, 0.99))
    v["P_RP_PROP"] = _w(rp * d.uniform(0.5, 0.8))
    v["P_RP_LOC"] = _w((rp - v["P_RP_PROP"]) * d.uniform(0.9, 0.97))
    v["P_RP_GRAT"] = rp - v["P_RP_PROP"] - v["P_RP_LOC"]
    v["P_RP_LOCHLMV"] = _w(v["P_RP_LOC"] * d.uniform(0.15, 0.6))
    v["P_MEN"] = rp
    v["P_PMEN"] = _w(pop * d.uniform(0.975, 0.995))
    v["P_NBPI_RP"] = _w(rp * d.uniform(3.9, 4.8))
    return {k: np.maximum(0.0, x) for k, x in v.items()}  # NaN stays NaN


def _emploi(keys: np.ndarray, year: int, pop: np.ndarray) -> dict[str, np.ndarray]:
    d = _Draws(keys, "emploi", year)
    v: dict[str, np.ndarray] = {}
    p1564 = pop * d.uniform(0.6, 0.65)
    act = p1564 * d.uniform(0.68, 0.77)
    v["P_CHOM1564"] = _w(act * d.uniform(0.07, 0.18))
    v["P_ACTOCC1564"] = _w(act - v["P_CHOM1564"])
    v["P_ACT1564"] = v["P_ACTOCC1564"] + v["P_CHOM1564"]
    v["P_INACT1564"] = _w(p1564 - v["P_ACT1564"])
    v["P_POP1564"] = v["P_ACT1564"] + v["P_INACT1564"]
    v["P_POP1524"] = _w(v["P_POP1564"] * d.uniform(0.16, 0.2))
    v["P_POP5564"] = _w(v["P_POP1564"] * d.uniform(0.19, 0.24))
    v["P_POP2554"] = v["P_POP1564"] - v["P_POP1524"] - v["P_POP5564"]
    v["P_ACTOCC"] = _w(v["P_ACTOCC1564"] * d.uniform(1.01, 1.04))
    size = np.log10(np.maximum(np.nan_to_num(pop, nan=10.0), 10) / 300)
    concentration = np.clip(0.2 + 0.3 * size + d.uniform(-0.1, 0.1), 0.12, 1.8)
    v["P_EMPLT"] = _w(v["P_ACTOCC"] * concentration)
    v["P_EMPLT_SAL"] = _w(v["P_EMPLT"] * d.uniform(0.84, 0.93))
    return v


# --- Filosofi ------------------------------------------------------------------

# variable -> decimals as written (None: a whole number)
FILOSOFI_DECIMALS = {"NBMENFISC": None, "NBPERSMENFISC": 1, "MED": None, "PIMP": 1, "TP60": 1, "PACT": 1,
                     "PTSA": 1, "PPEN": 1, "PPSOC": 1, "PIMPOT": 1, "D1": None, "D9": None, "RD": 1}
# shares averaged over households when a level is published (TP60: over persons)
_FILOSOFI_SHARES = ("PIMP", "PACT", "PTSA", "PPEN", "PPSOC", "PIMPOT")


def _departement_factor(departements: pd.Series) -> np.ndarray:
    """A standing of living per département (0.88–1.14), so that départements
    differ as they do (a median is not the same everywhere)."""
    return _Draws(_code_keys(departements.to_numpy(dtype=str)), "niveau-de-vie").uniform(0.88, 1.14)


def _filosofi_latent(keys: np.ndarray, pop: np.ndarray, departements: pd.Series) -> dict[str, np.ndarray]:
    """Every commune's Filosofi values before secrecy (the published levels are
    computed from them, secret communes included, as INSEE does)."""
    d = _Draws(keys, "filosofi", FILOSOFI_YEAR)
    pers = pop * d.uniform(0.95, 0.99)
    men = pers / d.uniform(2.15, 2.45)
    med = d.uniform(18500, 24500) * _departement_factor(departements)
    d1 = med * d.uniform(0.5, 0.6)
    d9 = med * d.uniform(1.7, 2.05)
    tp60 = np.maximum(5.0, 38 - med / 900 + d.uniform(-3, 3))  # INSEE publishes 5 under 5 %
    pact = d.uniform(62, 75)
    values = {"NBMENFISC": men, "NBPERSMENFISC": pers, "MED": med, "PIMP": d.uniform(35, 55), "TP60": tp60,
              "PACT": pact, "PTSA": pact * d.uniform(0.85, 0.92), "PPEN": d.uniform(24, 36),
              "PPSOC": d.uniform(4, 12), "PIMPOT": -d.uniform(11, 16), "D1": d1, "D9": d9}
    none = np.isnan(pop)  # no population: nothing to describe
    return {k: np.where(none, np.nan, v) for k, v in values.items()}


def _filosofi_level(latent: dict[str, np.ndarray], groups: np.ndarray, n: int, keys: np.ndarray,
                    member: str) -> dict[str, np.ndarray]:
    """A published level: households and persons summed, medians, deciles and
    rates as household- (persons-, for poverty) weighted means of the communes'
    moved by a little noise of the level's own (a median is not a mean)."""
    ok = ~np.isnan(latent["NBMENFISC"])
    g, men, pers = groups[ok], latent["NBMENFISC"][ok], latent["NBPERSMENFISC"][ok]
    # counts are the sums of the communes' as written (secret ones included)
    smen = np.bincount(g, weights=np.round(men), minlength=n)
    spers = np.round(np.bincount(g, weights=np.round(pers, 1), minlength=n), 1)
    d = _Draws(keys, "filosofi", FILOSOFI_YEAR, member)
    with np.errstate(divide="ignore", invalid="ignore"):
        def mean(var: str, weights: np.ndarray, total: np.ndarray) -> np.ndarray:
            return np.bincount(g, weights=weights * latent[var][ok], minlength=n) / total
        out = {"NBMENFISC": smen, "NBPERSMENFISC": spers}
        for var in ("MED", "D1", "D9"):
            out[var] = mean(var, men, smen) * d.uniform(0.97, 1.03)
        out["TP60"] = np.maximum(5.0, mean("TP60", pers, spers) * d.uniform(0.95, 1.05))
        for var in _FILOSOFI_SHARES:
            out[var] = mean(var, men, smen)
    return out


def _filosofi_text(values: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """INSEE's way of writing Filosofi: whole euros rounded to 10, rates with
    one decimal and a decimal comma, `s` under SECRET_MENAGES households,
    empty when there is no value."""
    men = values["NBMENFISC"]
    secret = pa.array(~np.isnan(men) & (men < SECRET_MENAGES))
    out = {}
    for var, decimals in FILOSOFI_DECIMALS.items():
        if var == "RD":
            x = np.round(np.round(values["D9"] / 10) / np.round(values["D1"] / 10), 1)
        elif var in ("MED", "D1", "D9"):
            x = np.round(values[var] / 10) * 10
        elif decimals is None:
            x = np.round(values[var])
        else:
            x = np.round(values[var], decimals)
        text = pc.replace_substring(pa.array(x, from_pandas=True).cast(pa.string()), ".", ",")
        out[var] = pc.if_else(secret, pa.scalar("s"), text)
    return out


# --- writing -------------------------------------------------------------------

def _prefixed(var: str, year: int) -> str:
    """`P_LOG`, 2021 -> `P21_LOG`."""
    return f"{var[0]}{year % 100:02d}{var[1:]}"


def _meta(columns: list[tuple[str, str, int]], modalities: pd.DataFrame | None, eol: str = "\r\n",
          codgeo: str = "Code commune") -> bytes:
    """An INSEE `meta_` dictionary: one row per variable, then CODGEO's
    modalities when their names are known (`modalities`: code, nom)."""
    lines = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    for column, var, year in columns:
        short, long_ = LABELS[var]
        lines.append(f"{column};{short.format(a=year)};{long_.format(a=year)};;;NUM;17")
    if modalities is not None:
        for code, nom in zip(modalities["code"], modalities["nom"]):
            lines.append(f"CODGEO;{codgeo};{codgeo};{code};{nom};CHAR;{len(code)}")
    return (eol.join(lines) + eol).encode("utf-8")


def _csv(codes, columns: dict[str, pa.Array | np.ndarray], eol: str) -> bytes:
    """`;`-separated table, no quotes, empty cells for missing values, floats
    in their shortest exact text (Arrow's), so that sums written stay exact."""
    arrays = [pa.array(np.asarray(codes, dtype=object), type=pa.string())]
    arrays += [c if isinstance(c, pa.Array) else pa.array(c, from_pandas=True) for c in columns.values()]
    table = pa.Table.from_arrays(arrays, names=["CODGEO", *columns])
    buf = io.BytesIO()
    pa_csv.write_csv(table, buf, pa_csv.WriteOptions(delimiter=";", eol=eol, quoting_style="none",
                                                    quoting_header="none", batch_size=8192))
    return buf.getvalue()


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """A zip whose bytes depend only on its content (fixed dates and modes).
    Members are stored, not deflated: the files only live in the build's
    temporary folder, and deflating ~100 MB of national CSV text, then
    inflating it again in the reader, took most of the time of a build."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 6, 27, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def _census_file(out_dir: Path, theme: str, variables: list[str], make, keys, pops: dict[int, np.ndarray],
                 communes: pd.DataFrame, modalities) -> Path:
    columns = {}
    for year in CENSUS_VINTAGES:
        values = make(keys, year, pops[year])
        columns.update({_prefixed(v, year): values[v] for v in variables})
    stem = f"base-cc-{theme}-{CENSUS_YEAR}"
    path = out_dir / f"{stem}_csv.zip"
    meta_columns = [(_prefixed(v, y), v, y) for y in CENSUS_VINTAGES for v in variables]
    _write_zip(path, [(f"{stem}.CSV", _csv(communes["code"], columns, "\r\n")),
                      (f"meta_{stem}.CSV", _meta(meta_columns, modalities))])
    return path


def _filosofi_zip(out_dir: Path, keys, pop: np.ndarray, communes: pd.DataFrame, modalities) -> Path:
    """`base-cc-filosofi-AAAA_CSV.zip` laid out as INSEE's: one
    `cc_filosofi_AAAA_<LEVEL>.csv` per level (COM, DEP, EPCI, METRO, REG, in
    the zip's alphabetical order) and its `meta_` dictionary, `\\n` line ends."""
    yy = f"{FILOSOFI_YEAR % 100:02d}"
    header_vars = [v + yy for v in FILOSOFI_VARS]
    meta_columns = [(v + yy, v, FILOSOFI_YEAR) for v in FILOSOFI_VARS]
    latent = _filosofi_latent(keys, pop, communes["departement"])
    tables = {"COM": (communes["code"], _filosofi_text(latent), modalities)}
    drom = communes["departement"].str.startswith("97").to_numpy(dtype=bool)
    for member, column in FILOSOFI_LEVELS.items():
        if column is None:  # France métropolitaine: every commune outside the DROM
            codes = np.where(drom, "", METRO_CODE)
        else:
            codes = communes[column].fillna("").to_numpy(dtype=str)
        ids, uniques = pd.factorize(codes, sort=True)
        uniques = np.asarray(uniques, dtype=str)
        level = _filosofi_level(latent, ids, len(uniques), _code_keys(uniques), member)
        keep = pa.array((uniques != "") & (level["NBMENFISC"] > 0))
        text = {k: v.filter(keep) for k, v in _filosofi_text(level).items()}
        tables[member] = (uniques[keep.to_numpy(zero_copy_only=False)], text, None)
    members = []
    for member in sorted(tables):
        codes, text, mods = tables[member]
        name = f"cc_filosofi_{FILOSOFI_YEAR}_{member}.csv"
        members.append((name, _csv(codes, dict(zip(header_vars, text.values())), "\n")))
    for member in sorted(tables):
        label = "Code commune" if member == "COM" else "Code géographique"
        members.append((f"meta_cc_filosofi_{FILOSOFI_YEAR}_{member}.csv",
                        _meta(meta_columns, tables[member][2], "\n", label)))
    path = out_dir / f"base-cc-filosofi-{FILOSOFI_YEAR}_CSV.zip"
    _write_zip(path, members)
    return path


def _communes_table(communes: pd.DataFrame) -> pd.DataFrame:
    """code, departement, region, epci (and nom when given), one row per code,
    sorted by code, Mayotte left out."""
    c = communes.copy()
    c["code"] = c["code"].astype(str)
    if "departement" not in c:
        c["departement"] = c["code"].where(c["code"].str.startswith("97"), c["code"].str[:2]) \
            .where(~c["code"].str.startswith("97"), c["code"].str[:3])
    for col in ("region", "epci"):
        if col not in c:
            c[col] = ""
    c = c.fillna({"region": "", "epci": ""}).astype({"departement": str, "region": str, "epci": str})
    c = c[~c["departement"].isin(EXCLUDED_DEPARTEMENTS)]
    return c.drop_duplicates("code").sort_values("code").reset_index(drop=True)


def generate(out_dir, populations: pd.DataFrame, communes: pd.DataFrame,
             families: tuple[str, ...] | list[str] = DEMO_FAMILIES) -> list[Path]:
    """Write the demonstration files of `families` for `communes` (code, and
    departement, region, epci, nom when known) from `populations` (code,
    millesime, population); return the data files in the order of
    DEMO_FAMILIES (census zips, then the Filosofi zip)."""
    unknown = set(families) - set(DEMO_FAMILIES)
    if unknown:
        raise ValueError(f"familles sans données de démonstration : {sorted(unknown)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    communes = _communes_table(communes)
    named = "nom" in communes and communes["nom"].astype(str).str.len().gt(0).all()
    modalities = communes[["code", "nom"]] if named else None
    codes = communes["code"].to_numpy(dtype=str)
    years, matrix = _population_matrix(populations[["code", "millesime", "population"]], codes)
    keys = _code_keys(codes)
    pops = {y: _population(years, matrix, keys, y) for y in sorted({*CENSUS_VINTAGES, FILOSOFI_YEAR})}
    census = {"evol_struct_pop": ("evol-struct-pop", EVOL_VARS, _evol),
              "logement": ("logement", LOGEMENT_VARS, _logement),
              "emploi_pop_active": ("emploi-pop-active", EMPLOI_VARS, _emploi)}
    paths = []
    for family in DEMO_FAMILIES:
        if family not in families:
            continue
        if family == "filosofi":
            paths.append(_filosofi_zip(out_dir, keys, pops[FILOSOFI_YEAR], communes, modalities))
        else:
            theme, variables, make = census[family]
            paths.append(_census_file(out_dir, theme, variables, make, keys, pops, communes, modalities))
    return paths
