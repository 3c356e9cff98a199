"""Robustness of the ETL against bad input files.

Every case builds on top of a previous warehouse: a bad file either stops the
build with a French message naming the file (and the line and column where
they apply) and leaves the previous warehouse byte-for-byte unchanged, or is
skipped with a reason while the build goes on. See docs/robustness.md."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import etl.check
from etl import build
from etl.check import CheckError
from etl.errors import InputError
from etl.readers import base_cc, files

ROOT = Path(__file__).resolve().parents[1]
PARTNERS = ROOT / "datasets" / "partners"
NAME = "base-cc-logement-2021.CSV"
HEADER = "CODGEO;LIBGEO;P21_LOG;P21_RP;P21_RSECOCC;P21_LOGVAC;P15_LOG;P10_LOG"
ROWS = [
    "62119;Béthune;12022,5;10639,25;414,25;969;12100;12000",
    "62498;Lens;17000;15000;300;1700;16800;16500",
    "62510;Liévin;15500;14200;150;1150;15300;15000",
    "62274;Dourges;2500;2380;s;100;2450;2400",
]


# distinct rows, so that a zip of them is tens of kB and can be cut in the middle
MANY_ROWS = [f"{10000 + i:05d};Commune {i};{i};{i};1;1;{i};{i}" for i in range(3000)]


def good_csv(rows: list[str] | None = None, header: str = HEADER) -> str:
    return "\n".join([header] + (ROWS if rows is None else rows)) + "\n"


def quiet(_: str) -> None:
    pass


# --- a previous warehouse, built once and copied for each test -------------------------------


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("previous")
    (base / "raw").mkdir()
    build.build(raw_dir=base / "raw", target=base / "warehouse", log=quiet)
    return base


@dataclass
class Site:
    base: Path

    @property
    def raw(self) -> Path:
        return self.base / "raw"

    @property
    def target(self) -> Path:
        return self.base / "warehouse"

    @property
    def builds(self) -> Path:
        return self.base / ".warehouse-builds"

    def snapshot(self) -> dict:
        """Everything that must not change when a build fails."""
        resolved = self.target.resolve()
        return {
            "link": os.readlink(self.target),
            "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(resolved.iterdir())},
            "builds": sorted(p.name for p in self.builds.iterdir()),
            "site": sorted(p.name for p in self.base.iterdir()),
        }


@pytest.fixture
def site(previous, tmp_path) -> Site:
    base = tmp_path / "site"
    shutil.copytree(previous, base, symlinks=True)
    assert (base / "warehouse").is_symlink() and (base / "warehouse" / "build.json").exists()
    return Site(base)


def assert_stops(site: Site, *words: str, line: int | None = None, column: str | None = None, **kwargs) -> str:
    """The build raises a located French error; nothing changed, nothing left behind."""
    before = site.snapshot()
    with pytest.raises(InputError) as exc:
        build.build(raw_dir=site.raw, target=site.target, log=quiet, **kwargs)
    message = str(exc.value)
    for w in words:
        assert w in message, message
    if line is not None:
        assert f"ligne {line}" in message and exc.value.line == line, message
    if column is not None:
        assert f"colonne {column}" in message and exc.value.column == column, message
    assert site.snapshot() == before
    assert not [p for p in site.builds.iterdir() if p.name.startswith("tmp-")]
    return message


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _half(data: bytes) -> bytes:
    assert len(data) > 20_000
    return data[: len(data) // 2]


# --- control: the valid file builds ----------------------------------------------------------


def test_valid_file_builds_and_replaces_the_warehouse(site):
    (site.raw / NAME).write_text(good_csv(), encoding="utf-8")
    old = os.readlink(site.target)
    build.build(raw_dir=site.raw, target=site.target, log=quiet)
    assert os.readlink(site.target) != old
    v = pd.read_parquet(site.target / "valeurs.parquet")
    com = v[(v["niveau"] == "commune") & (v["millesime"] == 2021)].set_index(["indicateur", "code"])
    assert com.loc[("logements", "62119"), "valeur"] == 12022.5
    assert com.loc[("residences_secondaires", "62274"), "statut"] == "secret"
    assert not com.loc[("logements", "62119"), "demo"]


def test_lost_leading_zero_is_repaired_not_refused(site):
    (site.raw / NAME).write_text(good_csv(ROWS + ["1001;L'Abergement;372;341;13;17;360;350"]), encoding="utf-8")
    build.build(raw_dir=site.raw, target=site.target, log=quiet)
    sources = pd.read_parquet(site.target / "sources.parquet").set_index("source_id")
    assert "1001 → 01001" in sources.loc["base-cc-logement-2021", "notes"]


# --- bad census files: the build stops -------------------------------------------------------


BAD_FILES = {
    # name: (file name, bytes, words, line, column)
    "truncated_mid_line": (NAME, good_csv().encode()[:-25], ["tronqué", "3 cellule(s) au lieu de 8"], 5, None),
    "truncated_zip": ("base-cc-logement-2021.zip", _half(zip_bytes({NAME: good_csv(MANY_ROWS)})),
                      ["archive zip illisible ou incomplète"], None, None),
    "empty_file": (NAME, b"", ["fichier vide"], None, None),
    "header_only": (NAME, (HEADER + "\n").encode(), ["aucune ligne de données"], 2, None),
    "comma_separator": (NAME, good_csv().replace(";", ",").encode(), ["virgule", "point-virgule"], 1, None),
    "missing_codgeo": (NAME, good_csv(header=HEADER.replace("CODGEO", "COM")).encode(), ["CODGEO", "absente"], 1, None),
    "duplicated_code": (NAME, good_csv(ROWS + [ROWS[0]]).encode(), ["62119", "deux fois"], 6, "CODGEO"),
    "letters_code": (NAME, good_csv(ROWS[:2] + ["ABCDE;X;1;1;1;1;1;1"]).encode(), ["ABCDE", "code commune"], 4, "CODGEO"),
    "six_digit_code": (NAME, good_csv(["123456;X;1;1;1;1;1;1"] + ROWS).encode(), ["123456", "code commune"], 2, "CODGEO"),
    "empty_code": (NAME, good_csv(ROWS + [";X;1;1;1;1;1;1"]).encode(), ["code géographique vide"], 6, None),
    "text_in_number": (NAME, good_csv(ROWS[:2] + ["62510;Liévin;15500;environ 14000;150;1150;15300;15000"]).encode(),
                       ["non numérique", "environ 14000"], 4, "P21_RP"),
    "negative_count": (NAME, good_csv(ROWS + ["62427;X;-3;1;1;1;1;1"]).encode(), ["négative", "-3"], 6, "P21_LOG"),
    "inconsistent_vintage": (NAME, good_csv(header=HEADER.replace("P21_RP", "P19_RP")).encode(),
                             ["millésime incohérents", "2019"], 1, None),
    "zip_without_member": ("base-cc-logement-2021.zip", zip_bytes({"autre.csv": good_csv()}),
                           ["aucun fichier de données", "autre.csv"], None, None),
    "zip_escaping_path": ("base-cc-logement-2021.zip", zip_bytes({f"../{NAME}": good_csv()}),
                          ["chemin dangereux", "../"], None, None),
    "utf16": (NAME, good_csv().encode("utf-16"), ["UTF-16", "UTF-8"], None, None),
    "utf16_without_bom": (NAME, good_csv().encode("utf-16-le"), ["octets nuls"], 1, None),
    "spreadsheet_renamed_csv": (NAME, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4,
                                ["octets nuls", "classeur"], 1, None),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_census_file_stops_the_build(site, case):
    name, data, words, line, column = BAD_FILES[case]
    (site.raw / name).write_bytes(data)
    assert_stops(site, name, *words, line=line, column=column)


def test_damaged_zip_member_stops_the_build(site):
    data = bytearray(zip_bytes({NAME: good_csv(MANY_ROWS)}))
    mid = len(data) // 2  # inside the compressed member: the central directory stays intact
    data[mid:mid + 40] = bytes(40)
    (site.raw / "base-cc-logement-2021.zip").write_bytes(bytes(data))
    assert_stops(site, "base-cc-logement-2021.zip", "endommagée")


def test_error_line_counts_across_batches(tmp_path, monkeypatch):
    """Large files are read in batches: the line number stays the file's."""
    monkeypatch.setattr(files, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(files, "GROUP_BYTES", 8192)
    rows = [f"{62000 + i:05d};X;{i};1;1;1;1;1" for i in range(2000)]
    rows[1500] = "63500;X;1;trois;1;1;1;1"
    path = tmp_path / NAME
    path.write_text(good_csv(rows), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        base_cc.read(path)
    assert (exc.value.line, exc.value.column) == (1502, "P21_RP")


def test_latin1_after_the_first_block_is_still_latin1(tmp_path):
    rows = [f"{10000 + i:05d};Commune;{i};1;1;1;1;1" for i in range(5000)] + ["62999;Béthune-Ouest;9;1;1;1;1;1"]
    path = tmp_path / NAME
    path.write_bytes(good_csv(rows).encode("latin-1"))
    assert path.stat().st_size > 65536
    data = base_cc.read(path).data
    row = (data["code"] == "62999") & (data["variable"] == "P_LOG") & (data["millesime"] == 2021)
    assert data.loc[row, "valeur"].tolist() == [9.0]


# --- files the build skips -------------------------------------------------------------------


def test_unknown_file_is_skipped_with_a_reason(site):
    (site.raw / "mes-notes.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (site.raw / "export.xlsx").write_bytes(b"PK\x03\x04 not a census file")
    logs: list[str] = []
    old = os.readlink(site.target)
    build.build(raw_dir=site.raw, target=site.target, log=logs.append)
    skipped = [line for line in logs if "ignoré" in line]
    assert any("mes-notes.csv" in line and "non reconnu" in line for line in skipped), logs
    assert any("export.xlsx" in line for line in skipped), logs
    assert os.readlink(site.target) != old


# --- partner programme -----------------------------------------------------------------------


def _partners(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "partners"
    folder.mkdir()
    for p in PARTNERS.iterdir():
        if p.is_file():
            shutil.copy(p, folder / p.name)
    path = folder / "programme_2018.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    return folder


def _set(rows, column: str, value: str, row: int = 1):
    rows[row][rows[0].index(column)] = value
    return rows


def _drop(rows, column: str):
    i = rows[0].index(column)
    return [r[:i] + r[i + 1:] for r in rows]


PARTNER_CASES = {
    "missing_column": (lambda rows: _drop(rows, "jours"), ["colonne(s) manquante(s)", "jours"], 1, None),
    "non_numeric_days": (lambda rows: _set(rows, "jours", "une trentaine"), ["une trentaine", "nombre"], 2, "jours"),
    "unknown_territory": (lambda rows: _set(rows, "territoires", "200072460|99999", row=3), ["inconnu", "99999"], 4, "territoires"),
}


@pytest.mark.parametrize("case", list(PARTNER_CASES))
def test_bad_partner_programme_stops_the_build(site, tmp_path, case):
    edit, words, line, column = PARTNER_CASES[case]
    folder = _partners(tmp_path, edit)
    assert_stops(site, "programme_2018.csv", *words, line=line, column=column, partners_dir=folder)


def test_unmodified_partner_copy_builds(site, tmp_path):
    """Control for the partner cases: the copy itself is sound."""
    folder = _partners(tmp_path, lambda rows: rows)
    build.build(raw_dir=site.raw, target=site.target, partners_dir=folder, log=quiet)
    assert len(pd.read_parquet(site.target / "programme.parquet")) == 61


# --- the command line ------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("case", ["truncated_mid_line", "utf16", "text_in_number"])
def test_cli_stops_with_status_and_message(site, case):
    name, data, words, line, column = BAD_FILES[case]
    (site.raw / name).write_bytes(data)
    before = site.snapshot()
    proc = _cli("build", "--raw", str(site.raw), "--out", str(site.target))
    assert proc.returncode == 2, proc.stderr
    assert name in proc.stderr and "ERREUR" in proc.stderr and "inchangé" in proc.stderr
    for w in words:
        assert w in proc.stderr
    if line:
        assert f"ligne {line}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert site.snapshot() == before


def test_cli_partner_error_through_territory_file(site, tmp_path):
    folder = _partners(tmp_path, lambda rows: _set(rows, "jours", "beaucoup"))
    toml = (ROOT / "datasets" / "territory.toml").read_text(encoding="utf-8")
    head, tail = toml.split("[partenaires]")
    tail = tail.split("[references]")[1]
    toml = head + textwrap.dedent(f"""\
        [partenaires]
        programme = "{(folder / 'programme_2018.csv').as_posix()}"
        agence = "{(folder / 'agence_2018.csv').as_posix()}"
        notes = "{(folder / 'programme_2018_notes.md').as_posix()}"

        [references]""") + tail
    territory = tmp_path / "territory.toml"
    territory.write_text(toml, encoding="utf-8")
    before = site.snapshot()
    proc = _cli("build", "--raw", str(site.raw), "--out", str(site.target), "--territory", str(territory))
    assert proc.returncode == 2, proc.stderr
    assert "programme_2018.csv, ligne 2, colonne jours" in proc.stderr and "beaucoup" in proc.stderr
    assert site.snapshot() == before


# --- a warehouse that fails its check -------------------------------------------------------


def test_check_passes_on_an_intact_warehouse(site):
    proc = _cli("check", "--out", str(site.target))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("tamper, words", [
    ("modify", ["valeurs.parquet", "somme de contrôle"]),
    ("delete", ["fichier manquant", "agence.parquet"]),
])
def test_check_detects_a_tampered_warehouse(site, tamper, words):
    folder = site.target.resolve()
    if tamper == "modify":
        data = bytearray((folder / "valeurs.parquet").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (folder / "valeurs.parquet").write_bytes(bytes(data))
    else:
        (folder / "agence.parquet").unlink()
    proc = _cli("check", "--out", str(site.target))
    assert proc.returncode != 0
    assert "invalide" in proc.stderr and "Traceback" not in proc.stderr
    for w in words:
        assert w in proc.stderr


def test_warehouse_failing_its_check_is_never_published(site, monkeypatch):
    def failing_check(directory):
        assert (Path(directory) / "valeurs.parquet").exists()  # it was written, then refused
        raise CheckError(Path(directory), ["simulé : totaux incohérents"])

    monkeypatch.setattr(etl.check, "check", failing_check)
    (site.raw / NAME).write_text(good_csv(), encoding="utf-8")  # a sound input, so only the check fails
    before = site.snapshot()
    with pytest.raises(CheckError, match="simulé"):
        build.build(raw_dir=site.raw, target=site.target, log=quiet)
    assert site.snapshot() == before
    assert not [p for p in site.builds.iterdir() if p.name.startswith("tmp-")]


# --- a file of several hundred MB ------------------------------------------------------------

BIG_COLUMNS = 100  # per vintage: 300 value columns, ~3 kB a row
BIG_ROWS = 100_000  # every 5-digit code


def _write_big(path: Path) -> None:
    """~300 MB base-cc-like file written by repeating one block of cells."""
    names = ["P21_LOG", "P21_RP"] + [f"P21_X{i:03d}" for i in range(BIG_COLUMNS - 2)]
    names += [f"P15_X{i:03d}" for i in range(BIG_COLUMNS)] + [f"P10_X{i:03d}" for i in range(BIG_COLUMNS)]
    tail = (";" + ";".join(["1234.5678"] * len(names)) + "\n").encode()
    with open(path, "wb", buffering=1 << 22) as fh:
        fh.write(("CODGEO;" + ";".join(names) + "\n").encode())
        for start in range(0, BIG_ROWS, 1000):
            fh.write(b"".join(f"{c:05d}".encode() + tail for c in range(start, start + 1000)))


def test_very_large_file_is_streamed_in_bounded_memory(tmp_path):
    path = tmp_path / "base-cc-logement-2021.CSV"
    _write_big(path)
    assert path.stat().st_size > 300_000_000
    script = textwrap.dedent(f"""
        import resource, sys
        from etl import catalogue
        from etl.readers import base_cc
        keep = set(catalogue.load_variables(catalogue.load_catalogue())["variable"])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = base_cc.read({str(path)!r}, variables=keep)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        d = result.data
        print(after - before, len(d), sorted(set(d["variable"])), d["code"].nunique(), d["valeur"].sum())
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip()
    growth_kb, n = int(out.split()[0]), int(out.split()[1])
    assert "['P_LOG', 'P_RP']" in out  # only the catalogue's variables are kept
    codes = BIG_ROWS - sum(len(a) for a in files.PLM.values())  # arrondissements folded into their commune
    assert n == 2 * codes  # P21_LOG and P21_RP only (P15_ and P10_ columns are not in the catalogue)
    assert float(out.split()[-1]) == pytest.approx(2 * codes * 1234.5678)
    assert growth_kb < 400 * 1024, f"peak RSS grew by {growth_kb / 1024:.0f} MB"


# --- freshness by content: `etl ensure` compares checksums, never modification times ---------


def test_fresh_copy_is_up_to_date(site):
    assert build.is_stale(site.target, site.raw) is None
    info = __import__("json").loads((site.target / "build.json").read_text(encoding="utf-8"))
    fp = info["fingerprint"]
    assert fp["raw"] == {} and len(fp["code"]) == 64
    assert "datasets/catalogue.csv" in fp["inputs"] and "datasets/territory.toml" in fp["inputs"]


def test_new_deleted_and_replaced_raw_files_trigger_a_rebuild(site):
    raw = site.raw / NAME
    raw.write_text(good_csv(), encoding="utf-8")
    assert build.is_stale(site.target, site.raw) == f"fichier Insee nouveau : {NAME}"
    build.build(raw_dir=site.raw, target=site.target, log=quiet)
    assert build.is_stale(site.target, site.raw) is None

    # same content, newer date: nothing to do
    os.utime(raw, (raw.stat().st_atime + 3600, raw.stat().st_mtime + 3600))
    assert build.is_stale(site.target, site.raw) is None

    # other content copied with an OLD date (cp -p of an older download): rebuilt all the same
    old = raw.stat().st_mtime - 10 * 365 * 86400
    raw.write_text(good_csv(ROWS[:3]), encoding="utf-8")
    os.utime(raw, (old, old))
    assert raw.stat().st_mtime < (site.target / "build.json").stat().st_mtime
    assert build.is_stale(site.target, site.raw) == f"fichier Insee modifié : {NAME}"

    # deleted: its figures must leave the warehouse
    raw.unlink()
    assert build.is_stale(site.target, site.raw) == f"fichier Insee supprimé : {NAME}"


def test_ensure_rebuilds_after_a_deletion(site, capsys):
    from etl.__main__ import main

    marked = ["62119;Béthune;77777;10639;414;969;12100;12000"] + ROWS[1:]  # a value no other source has

    def logements_62119() -> list[float]:
        v = pd.read_parquet(site.target / "valeurs.parquet")
        sel = (v["code"] == "62119") & (v["indicateur"] == "logements") & (v["millesime"] == 2021) & (v["niveau"] == "commune")
        return v.loc[sel, "valeur"].tolist()

    (site.raw / NAME).write_text(good_csv(marked), encoding="utf-8")
    assert main(["ensure", "--raw", str(site.raw), "--out", str(site.target)]) == 0
    assert logements_62119() == [77777.0]
    (site.raw / NAME).unlink()
    capsys.readouterr()
    assert main(["ensure", "--raw", str(site.raw), "--out", str(site.target)]) == 0
    assert f"fichier Insee supprimé : {NAME}" in capsys.readouterr().out
    assert 77777.0 not in logements_62119()  # the deleted file's figures are gone
    assert main(["ensure", "--raw", str(site.raw), "--out", str(site.target)]) == 0
    assert "Entrepôt à jour" in capsys.readouterr().out


def test_code_change_triggers_a_rebuild(site, tmp_path, monkeypatch):
    code = tmp_path / "etl"
    shutil.copytree(ROOT / "etl", code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "ETL_DIR", code)
    assert build.is_stale(site.target, site.raw) is None  # same sources, another folder
    with open(code / "values.py", "a", encoding="utf-8") as fh:
        fh.write("\n# a change of the ETL\n")
    assert build.is_stale(site.target, site.raw) == "code de la chaîne de traitement (etl/) modifié"


def test_input_change_and_old_build_json(site, tmp_path, monkeypatch):
    import json

    terr = tmp_path / "territory.toml"
    terr.write_text((ROOT / "datasets" / "territory.toml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setenv("CHIFFRES_CLEFS_TERRITORY", str(terr))
    assert build.is_stale(site.target, site.raw).startswith("fichier de données ")
    monkeypatch.delenv("CHIFFRES_CLEFS_TERRITORY")
    info_path = site.target / "build.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    del info["fingerprint"]
    info_path.unlink()  # a hard link into the build folder: write a new file
    info_path.write_text(json.dumps(info), encoding="utf-8")
    assert "empreinte des fichiers d'entrée absente" in build.is_stale(site.target, site.raw)


# --- the same rules whatever the file name --------------------------------------------------

MIXED = good_csv(header=HEADER.replace("P15_LOG", "P20_LOG"))  # P21_ and P20_ columns of one family


@pytest.mark.parametrize("name", [NAME, "mon-export.csv", "logements_aula.CSV"])
def test_mixed_vintages_refused_under_any_name(site, name):
    (site.raw / name).write_text(MIXED, encoding="utf-8")
    assert_stops(site, name, "millésime incohérents", "2020", line=1)


def test_renamed_file_with_insee_vintages_still_builds(site):
    (site.raw / "mon-export.csv").write_text(good_csv(), encoding="utf-8")  # P21, P15, P10: as INSEE
    build.build(raw_dir=site.raw, target=site.target, log=quiet)
    v = pd.read_parquet(site.target / "valeurs.parquet")
    assert v[(v["code"] == "62119") & (v["indicateur"] == "logements") & (v["millesime"] == 2021)]["valeur"].tolist() == [12022.5]


@pytest.mark.parametrize("name", ["base-cc-logement-2021.zip", "archive.zip", "donnees.zip"])
@pytest.mark.parametrize("member", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv"])
def test_dangerous_zip_member_refused_under_any_name(site, name, member):
    (site.raw / name).write_bytes(zip_bytes({NAME: good_csv(), member: "x;y\n"}))
    assert_stops(site, name, "chemin dangereux", member)


def test_unreadable_zip_with_unknown_name_is_skipped(site):
    (site.raw / "archive.zip").write_bytes(b"PK\x03\x04 cut")
    logs: list[str] = []
    build.build(raw_dir=site.raw, target=site.target, log=logs.append)
    assert any("archive.zip" in line and "ignoré" in line for line in logs), logs


# --- zip bombs and memory bounded by distinct codes, not rows --------------------------------

BOMB_ROW = b"62119;Bethune;12022;10639;414;969;12100;12000\n"


def write_bomb(path: Path, mib: int = 300) -> None:
    """A zip whose one member expands to `mib` MiB of one repeated row (~750 KB for 300 MiB)."""
    block = BOMB_ROW * ((1 << 20) // len(BOMB_ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open(NAME, "w", force_zip64=True) as fh:
            fh.write((HEADER + "\n").encode())
            for _ in range(mib):
                fh.write(block)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "base-cc-logement-2021.zip"
    write_bomb(path)
    return path


@pytest.mark.parametrize("name", ["base-cc-logement-2021.zip", "archive.zip"])
def test_zip_bomb_refused_before_inflating(site, bomb, name):
    assert bomb.stat().st_size < 1_000_000
    shutil.copy(bomb, site.raw / name)
    msg = assert_stops(site, name, "archive refusée", "300,0 Mo", "bombe de décompression")
    assert "taux" in msg and ":1" in msg


def test_zip_member_size_limit(site, monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_MEMBER_BYTES", 10_000)
    (site.raw / "base-cc-logement-2021.zip").write_bytes(zip_bytes({NAME: good_csv(MANY_ROWS)}))
    assert_stops(site, "base-cc-logement-2021.zip", "au-delà de la limite de 9,8 Ko", "ETL_ZIP_MAX_MEMBER_BYTES")


def test_real_insee_zips_pass_the_limits(shared_data):
    for p in sorted(shared_data.glob("insee/*/*.zip")):
        assert files.zip_members(p), p


def test_duplicate_stops_at_the_first_batch_with_its_line(tmp_path, monkeypatch):
    """The repeated row is refused after the first batch, not after reading everything."""
    monkeypatch.setattr(files, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(files, "GROUP_BYTES", 8192)
    read = []
    real = files.column_codes

    def counting(name, table, column):
        read.append(table.num_rows)
        return real(name, table, column)

    monkeypatch.setattr(files, "column_codes", counting)
    rows = [f"{62000 + i:05d};X;{i};1;1;1;1;1" for i in range(3000)]
    rows[40] = rows[12]  # line 42 repeats line 14
    rows += [f"{70000 + i:05d};X;1;1;1;1;1;1" for i in range(20000)]
    path = tmp_path / NAME
    path.write_text(good_csv(rows), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        base_cc.read(path)
    assert (exc.value.line, exc.value.column) == (42, "CODGEO") and "« 62012 » présent deux fois (déjà ligne 14)" in str(exc.value)
    assert len(read) == 1 and sum(read) < 1000  # stopped at the first batch


def test_duplicate_across_batches_and_lost_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(files, "GROUP_BYTES", 8192)
    rows = [f"{10000 + i:05d};X;1;1;1;1;1;1" for i in range(3000)]
    rows[2500] = "1001;X;1;1;1;1;1;1"  # the same commune as 01001 (line 2 + 0), its zero lost
    rows[0] = "01001;X;1;1;1;1;1;1"
    path = tmp_path / NAME
    path.write_text(good_csv(rows), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        base_cc.read(path)
    assert exc.value.line == 2502 and "« 01001 » présent deux fois (déjà ligne 2)" in str(exc.value)


def test_code_tracker_keys():
    t = files.CodeTracker("f.csv")
    t.add(pd.Series(["01001", "2A004", "2B002", "200072460"]).to_numpy(dtype=object), 0)
    t.add(pd.Series(["62119", "FRANCE"]).to_numpy(dtype=object), 4)
    with pytest.raises(InputError, match="2A004.*deux fois") as exc:
        t.add(pd.Series(["62120", "2A004"]).to_numpy(dtype=object), 6)
    assert exc.value.line == 9 and "(déjà ligne 3)" in str(exc.value)


def test_straddling_row_is_a_french_message_with_its_line(site):
    text = good_csv(ROWS[:2] + ["62510;" + "x" * 3_000_000 + ";1;1;1;1;1;1"] + ROWS[3:])
    (site.raw / NAME).write_text(text, encoding="utf-8")
    msg = assert_stops(site, NAME, "ligne de plus de 1,0 Mo", line=4)
    assert "straddling" not in msg and "block size" not in msg


def test_cli_straddling_row_without_traceback(site):
    (site.raw / NAME).write_text(good_csv(["62119;" + "x" * 3_000_000 + ";1;1;1;1;1;1"]), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "etl", "build", "--raw", str(site.raw), "--out", str(site.target)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "straddl" not in proc.stderr
    assert f"{NAME}, ligne 2" in proc.stderr and "ligne de plus de 1,0 Mo" in proc.stderr
