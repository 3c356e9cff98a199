"""Static public fiches (`python -m components.exports site`): pages, index, search data,
links into the app, the swap of a previous site, and nginx serving them compressed."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from components.exports import site
from components.exports.image import images_disponibles

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
CODES = ["62119", "62498", "200072460"]  # two communes and their EPCI

pytestmark = pytest.mark.skipif(not images_disponibles(), reason="Chromium absent : pas de rendu des graphiques")


@pytest.fixture(scope="module")
def built():
    # readable by nginx's unprivileged workers (pytest's tmp folders are private)
    parent = Path(tempfile.mkdtemp(prefix="cc-site-test-"))
    os.chmod(parent, 0o755)
    out = parent / "public"
    p = subprocess.run([sys.executable, "-m", "components.exports", "site", "--out", str(out), "--processus", "1",
                        "--app-url", "https://app.example.org/", *sum((["--territoire", c] for c in CODES), [])],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    yield out, p.stdout
    shutil.rmtree(parent, ignore_errors=True)


def test_the_build_says_what_it_wrote(built):
    out, stdout = built
    assert re.search(r"^3 fiches écrites dans .*public \(1 intercommunalité \(EPCI\), 2 communes\)", stdout), stdout
    assert re.search(r"\d+,\d Mo au total", stdout)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "commune/62119.html", "commune/62498.html", "epci/200072460.html", "index.html"]


def test_a_fiche_is_the_printed_fiche_as_a_web_page(built):
    out, _ = built
    page = (out / "commune" / "62119.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html><html lang=\"fr\">")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<h1>Béthune</h1>" in page and "Chiffres clés" in page
    # the key figures compared with the reference territories (EPCI, territory...)
    head = re.search(r"<table class='kf'>.*?<thead><tr>(.*?)</tr></thead>", page, re.S).group(1)
    assert len(re.findall(r"<th[ >]", head)) >= 5, head  # at least one reference column after the 4 fixed ones
    # French number formatting from components/format.py (no-break or narrow no-break spaces)
    assert re.search(r"<td class='num strong'>\d{1,3}[\u00a0\u202f]\d{3}([\u00a0\u202f]habitants)?</td>", page)
    # every chart inlined as SVG, none left as a placeholder, no script needed
    assert page.count("<figure>") == page.count("<svg") >= 4
    assert "cc-svg-" not in page and "<script" not in page
    assert 'href="../index.html"' in page
    assert 'href="https://app.example.org/commune?territoire=62119"' in page
    epci = (out / "epci" / "200072460.html").read_text(encoding="utf-8")
    assert 'href="https://app.example.org/?territoire=200072460"' in epci


def test_the_index_lists_every_fiche_and_its_search_data(built):
    out, _ = built
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index and 'name="viewport"' in index
    for href in ("commune/62119.html", "commune/62498.html", "epci/200072460.html"):
        assert f'href="{href}"' in index and (out / href).exists()
    assert '<script src="recherche.js" defer></script>' in index
    data = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert {(d["c"], d["u"]) for d in data} == {("62119", "commune/62119.html"), ("62498", "commune/62498.html"),
                                                ("200072460", "epci/200072460.html")}
    assert next(d for d in data if d["c"] == "62119")["n"] == "Béthune"
    assert (out / "index.json").stat().st_size < 2000  # small: 3 entries of name, code, level, address
    js = (out / "recherche.js").read_text(encoding="utf-8")
    assert "normalize('NFD')" in js and "fetch('index.json')" in js


def test_fold_ignores_accents_and_case():
    assert site.fold("Béthune") == site.fold("BETHUNE") == "bethune"
    assert site.fold("Liévin") == "lievin" and site.fold("Œuf") == "œuf"


def test_a_previous_site_is_replaced_and_another_folder_is_refused(tmp_path):
    other = tmp_path / "documents"
    other.mkdir()
    (other / "note.txt").write_text("à garder")
    with pytest.raises(ValueError, match="n'est pas un site de fiches"):
        site.build(other, codes=["62119"], processes=1)
    assert (other / "note.txt").read_text() == "à garder"
    assert not any(p.name.startswith(".documents-") for p in tmp_path.iterdir())  # no leftover build folder
    done = subprocess.run([sys.executable, "-m", "components.exports", "site", "--out", str(other),
                           "--territoire", "62119"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "n'est pas un site" in done.stderr


def test_an_unknown_territory_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "components.exports", "site", "--out", str(tmp_path / "s"),
                           "--territoire", "99999"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Territoire inconnu : 99999" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "s").exists()


def test_the_archive_command_line_still_works(tmp_path):
    """`site` is a subcommand; the archive form without it is unchanged."""
    done = subprocess.run([sys.executable, "-m", "components.exports", "--territoire", "99999", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Territoire inconnu : 99999" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not NGINX.exists(), reason="nginx absent (apt-get install nginx)")
def test_nginx_serves_the_fiches_compressed_and_cached(built):
    """deploy/nginx.conf.template as serve.sh fills it, without the app processes (the
    upstream is never asked for /fiches/)."""
    out, _ = built
    run = Path(tempfile.mkdtemp(prefix="cc-nginx-test-"))
    (run / "tmp").mkdir()
    os.chmod(run / "tmp", 0o1777)
    port = _free_port()
    conf = (ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    conf = conf.replace("@RUN@", str(run)).replace("@LISTEN@", f"127.0.0.1:{port}").replace("@SITE@", str(out))
    conf = conf.replace("@UPSTREAMS@", f"        server 127.0.0.1:{_free_port()};")
    (run / "nginx.conf").write_text(conf)
    subprocess.run([str(NGINX), "-t", "-q", "-p", str(run), "-c", str(run / "nginx.conf")], check=True)
    subprocess.run([str(NGINX), "-p", str(run), "-c", str(run / "nginx.conf")], check=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/fiches/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        plain = (out / "commune" / "62119.html").read_bytes()
        req = urllib.request.Request(base + "/fiches/commune/62119.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
            assert r.headers["Content-Encoding"] == "gzip"
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "max-age=3600" in r.headers["Cache-Control"]
            body = r.read()
        assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
        req = urllib.request.Request(base + "/fiches/index.json", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.headers["Content-Type"].startswith("application/json")
            assert "max-age=300" in r.headers["Cache-Control"]
        with urllib.request.urlopen(base + "/fiches/", timeout=10) as r:  # the index
            assert b"Fiches territoires" in r.read()
        with pytest.raises(urllib.error.HTTPError) as e:  # the marker file stays private
            urllib.request.urlopen(base + "/fiches/" + site.MARKER, timeout=10)
        assert e.value.code == 404
    finally:
        pid = int((run / "nginx.pid").read_text())
        os.kill(pid, signal.SIGQUIT)
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(run, ignore_errors=True)
