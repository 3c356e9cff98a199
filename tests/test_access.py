"""The data-access module on the default warehouse: named queries, search,
reference chains, rankings, hostile input and integrity."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from datasets import access


def test_search_ignores_accents_case_and_finds_postal_codes():
    assert access.search_communes("bethune").iloc[0]["nom"] == "Béthune"
    assert access.search_communes("BÉTHUNE").iloc[0]["code"] == "62119"
    assert access.search_communes("henin")["nom"].iloc[0] == "Hénin-Beaumont"
    assert "62119" in set(access.search_communes("62400")["code"])
    assert access.search_communes("vitz")["code"].tolist() == ["80810"]


@pytest.mark.parametrize("text", ["%", "_", "' or 1=1 --", ".*", "[a-", "\\", "<script>alert(1)</script>", "x" * 10_000, ""])
def test_search_never_interprets_text(text):
    res = access.search_communes(text)
    assert len(res) <= 10
    if text in ("%", "_", "' or 1=1 --"):
        assert res.empty


def test_unknown_or_hostile_codes_are_not_found():
    for code in ["99999", "62119' or '1'='1", "x" * 5000, "", "AULA; drop table valeurs"]:
        assert access.territoire(code) is None
    assert access.territoire("62119")["nom"] == "Béthune"
    assert access.territoire("AULA")["niveau"] == "territoire"


def test_reference_chain_of_a_commune():
    chain = [(r["niveau"], r["code"]) for r in access.references("commune", "62119")]
    assert chain == [("epci", "200072460"), ("groupement", "PMA"), ("territoire", "AULA"),
                     ("departement", "62"), ("region", "32"), ("pays", "FR")]
    vitz = [(r["niveau"], r["code"]) for r in access.references("commune", "80810")]
    assert ("departement", "80") in vitz and ("groupement", "PETR") in vitz
    terr = [(r["niveau"], r["code"]) for r in access.references("territoire", "AULA")]
    assert ("departement", "62") in terr and ("departement", "80") in terr and terr[-1] == ("pays", "FR")


def test_values_latest_vintage_and_order():
    df = access.valeurs(("population",), (("commune", "62119"), ("territoire", "AULA")))
    assert df["code"].tolist() == ["62119", "AULA"]
    assert set(df["millesime"]) == {2023}
    assert df.loc[df["code"] == "AULA", "valeur"].iloc[0] == 709_273
    old = access.valeurs(("population",), (("territoire", "AULA"),), 2016)
    assert old["valeur"].iloc[0] == 713_810


def test_series_and_key_figures():
    s = access.serie("population", "commune", "62119")
    assert s["millesime"].tolist() == [2016, 2019, 2020, 2021, 2022, 2023]
    k = access.chiffres_cles("commune", "62119").set_index("indicateur")
    assert k.loc["population", "millesime"] == 2023 and k.loc["population", "millesime_precedent"] == 2022
    assert not k.loc["population", "demo"]


def test_map_and_ranking_cover_the_territory():
    m = access.carte("population")
    assert len(m) == 319 and m["valeur"].notna().all()
    assert len(access.carte("population", within_niveau="epci", within_code="246200299")) == 14
    r = access.classement("population")
    assert r["rang"].iloc[0] == 1 and r["nom"].iloc[0] == "Lens"
    assert r["valeur"].is_monotonic_decreasing


def test_results_are_copies_callers_cannot_spoil_the_cache():
    df = access.carte("population")
    df["valeur"] = 0
    assert access.carte("population")["valeur"].max() > 0


def test_catalogue_and_sources():
    cat = access.catalogue()
    assert {"population", "densite", "taux_chomage", "mediane_niveau_vie"} <= set(cat["indicateur"])
    assert access.indicateur("population")["millesimes"] == [2016, 2019, 2020, 2021, 2022, 2023]
    src = access.sources()
    assert src["source_id"].is_unique and src["demo"].any() and not src["demo"].all()
    assert "écart de 53,5 jours" in access.programme_notes()
    assert len(access.programme()) == 61


def test_corrupt_or_missing_warehouse_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "w"
    shutil.copytree(access.warehouse_dir().resolve(), copy)
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(copy))
    assert access.check_warehouse()["territory"]["code"] == "AULA"
    with open(copy / "valeurs.parquet", "r+b") as f:
        f.seek(100)
        f.write(b"corrupted")
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(tmp_path / "w2"))
    shutil.copytree(copy, tmp_path / "w2")
    with pytest.raises(access.WarehouseError, match="corrompu"):
        access.check_warehouse()
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(tmp_path / "none"))
    with pytest.raises(access.WarehouseError, match="Aucun entrepôt"):
        access.check_warehouse()


def test_unreadable_build_json_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "w"
    shutil.copytree(access.warehouse_dir().resolve(), copy)
    (copy / "build.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(copy))
    with pytest.raises(access.WarehouseError, match="illisible"):
        access.check_warehouse()
    from etl.check import CheckError, check
    with pytest.raises(CheckError, match="illisible"):
        check(copy)


def test_a_rebuild_while_the_app_runs_is_picked_up_whole(tmp_path, monkeypatch):
    """The app keeps reading the build it opened (an in-memory copy of one complete
    build) until `etl build` publishes a new one by swapping the link; it then
    reloads the new build whole, never a half-written mix."""
    from etl import build

    raw = tmp_path / "raw"
    raw.mkdir()
    target = tmp_path / "warehouse"
    first = build.build(raw_dir=raw, target=target, log=lambda _: None)
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(target))
    built_first = access.check_warehouse()["built_at"]
    assert access.valeurs(("population",), (("territoire", "AULA"),))["valeur"].iloc[0] == 709_273
    second = build.build(raw_dir=raw, target=target, log=lambda _: None)
    assert second != first and first.exists()  # the build being read is not deleted under the app
    assert target.resolve() == second
    info = access.check_warehouse()
    assert info["built_at"] >= built_first and access._State.current.resolved == second
    assert access.valeurs(("population",), (("territoire", "AULA"),))["valeur"].iloc[0] == 709_273


def test_the_warehouse_link_is_resolved_again_only_when_it_leads_elsewhere(tmp_path, monkeypatch):
    """Every query checks which build the link leads to: one `stat` while it is the same
    directory, a full resolution once it leads to another one."""
    import os

    a, b = tmp_path / "build_a", tmp_path / "build_b"
    a.mkdir()
    b.mkdir()
    expected_a, expected_b = a.resolve(), b.resolve()
    link = tmp_path / "warehouse"
    link.symlink_to(a)
    monkeypatch.setattr(access._State, "seen", None)
    calls = []
    real = Path.resolve
    monkeypatch.setattr(Path, "resolve", lambda self, *args, **kw: calls.append(self) or real(self, *args, **kw))
    assert access._resolved(link) == expected_a and len(calls) == 1
    assert access._resolved(link) == expected_a and len(calls) == 1  # remembered
    tmp = tmp_path / "warehouse.new"
    tmp.symlink_to(b)
    os.replace(tmp, link)  # as `etl build` publishes
    assert access._resolved(link) == expected_b and len(calls) == 2
    assert access._resolved(tmp_path / "absent") == (tmp_path / "absent") and len(calls) == 3  # no stat: resolved


def _copy_build(source, target, label: str) -> None:
    """A copy of a published warehouse whose population indicator is named `label`
    (checksums updated), so that a result tells which build it was read from."""
    import hashlib

    shutil.copytree(source, target)
    ind = pd.read_parquet(target / "indicateurs.parquet")
    ind.loc[ind["indicateur"] == "population", "libelle"] = label
    ind.to_parquet(target / "indicateurs.parquet", index=False)
    info = json.loads((target / "build.json").read_text(encoding="utf-8"))
    info["checksums"]["indicateurs.parquet"] = hashlib.sha256((target / "indicateurs.parquet").read_bytes()).hexdigest()
    (target / "build.json").write_text(json.dumps(info), encoding="utf-8")


def test_queries_during_20_swaps_never_fail_nor_mix_builds(tmp_path, monkeypatch):
    """Rebuild while serving (issue 14): sessions keep querying while the published
    warehouse is swapped 20 times. No query fails (a connection is never closed under a
    query), and every result carries the build it was read from, whose content it has."""
    import os
    import threading
    import time

    source = access.warehouse_dir().resolve()
    builds = {}
    for i in range(21):
        target = tmp_path / f"build{i:02d}"
        _copy_build(source, target, f"Population {i}")
        builds[target.name] = f"Population {i}"
    link = tmp_path / "warehouse"
    link.symlink_to(tmp_path / "build00")
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(link))

    errors, seen, stop = [], [], threading.Event()

    def visitor(n: int) -> None:
        while not stop.is_set():
            try:
                for df in (access.catalogue("demographie"), access.chiffres_cles("commune", "62119"),
                           access.valeurs(("population",), (("commune", f"62{100 + n % 50:03d}"), ("territoire", "AULA")))):
                    build = df.attrs["build_id"]
                    if "libelle" in df:
                        label = df.loc[df["indicateur"] == "population", "libelle"].iloc[0]
                        seen.append((build, label))
                access.territoire(f"62{100 + n % 50:03d}")
                # an uncached query that lasts a while: a connection closed under it would fail
                slow = access._query("select count(*) as n, max(valeur) as m from valeurs, range(100) where ? >= 0", [n])
                assert slow["n"].iloc[0] > 0 and slow.attrs["build_id"]
                n += 1
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(repr(exc))

    threads = [threading.Thread(target=visitor, args=(i * 7,)) for i in range(8)]
    for t in threads:
        t.start()
    try:
        for i in range(1, 21):
            tmp = tmp_path / "warehouse.new"
            tmp.symlink_to(tmp_path / f"build{i:02d}")
            os.replace(tmp, link)  # atomic, as `etl build` publishes
            # the next swap once a visitor has read this build (however slow the machine is)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(b.startswith(f"build{i:02d}:") for b, _ in seen[-500:]):
                time.sleep(0.01)
        time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    assert seen
    wrong = [(b, label) for b, label in seen if builds[b.split(":")[0]] != label]
    assert wrong == []
    assert len({b.split(":")[0] for b, _ in seen}) == 21  # the visitors read every build, across 20 swaps
    assert access.catalogue("demographie").attrs["build_id"].startswith("build20:")


def test_the_app_tells_visitors_without_showing_a_server_path(tmp_path, monkeypatch):
    """A missing warehouse: a plain French message, no figure, and no path of the server."""
    from streamlit.testing.v1 import AppTest

    missing = tmp_path / "nulle-part" / "warehouse"
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(missing))
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    texts = " ".join(e.value for e in at.error)
    assert "Les données ne sont pas disponibles" in texts
    assert str(tmp_path) not in texts and "nulle-part" not in texts and "python -m" not in texts
    assert not at.metric and "cc-tuile" not in " ".join(str(h.proto.body) for h in at.get("html"))


def test_values_from_memory_equal_the_sql_they_replace():
    """`valeurs` and `serie` select rows of the build held in memory: the same rows, in the same
    order, as the SQL queries they replaced (random indicators, territories and vintages)."""
    import random

    def norm(d):
        d = d.reset_index(drop=True).astype(object)
        return d.where(d.notna(), None)

    sql = """with latest as (
               select indicateur, max(millesime) as m from valeurs
               where indicateur in (select unnest(?)) and valeur is not null group by indicateur)
             select v.indicateur, v.niveau, v.code, t.nom, v.millesime, v.valeur, v.statut, v.demo, v.source_id
             from valeurs v join territoires t on t.niveau = v.niveau and t.code = v.code
             left join latest l on l.indicateur = v.indicateur
             where v.indicateur in (select unnest(?)) and (v.niveau || '|' || v.code) in (select unnest(?))
               and v.millesime = coalesce(?, l.m)
             order by v.indicateur, list_position(?, v.niveau || '|' || v.code)"""
    inds = list(access.catalogue()["indicateur"])
    terr = access.territoires()
    paires = list(zip(terr["niveau"], terr["code"]))
    rng = random.Random(7)
    compared = 0
    for _ in range(40):
        ii, tt = rng.sample(inds, rng.randint(1, 5)), rng.sample(paires, rng.randint(1, 5))
        m = rng.choice([None, None, 2021, 2016])
        keys = [f"{n}|{c}" for n, c in tt]
        attendu = access._query(sql, [ii, ii, keys, m, keys])
        obtenu = access.valeurs(tuple(ii), tuple(tt), m)
        assert len(obtenu) == len(attendu)
        if len(attendu):
            pd.testing.assert_frame_equal(norm(obtenu), norm(attendu))
            compared += len(attendu)
        n, c = tt[0]
        s = access._query("select millesime, valeur, statut, demo, source_id from valeurs where indicateur = ? "
                          "and niveau = ? and code = ? order by millesime", [ii[0], n, c])
        got = access.serie(ii[0], n, c)
        assert len(got) == len(s) and (not len(s) or norm(got).equals(norm(s)))
    assert compared > 100
