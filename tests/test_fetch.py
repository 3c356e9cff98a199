"""`etl fetch` against a local HTTP server on 127.0.0.1 (never the network)."""
from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
from pathlib import Path

import pytest

from etl import fetch

PAYLOAD = b"CODGEO;P21_LOG\r\n62119;12022.5\r\n" * 5000  # ~160 kB: several chunks


class Handler(http.server.BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self):  # noqa: N802 (http.server API)
        if self.path == "/base-cc-logement-2021_csv.zip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif self.path == "/gone":
            self.send_error(410)
        elif self.path == "/slow":
            Handler.release.wait(10)  # answers only when the test is over
            self.send_error(503)
        elif self.path == "/error":
            self.send_error(500)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


def sources_file(tmp_path: Path, base: str, *, sha: str = "", path: str = "/base-cc-logement-2021_csv.zip") -> Path:
    p = tmp_path / "sources.toml"
    p.write_text(f"""
[insee.logement.2021]
titre = "Base chiffres clés Logement 2021"
url = "{base}{path}"
fichier = "base-cc-logement-2021_csv.zip"
page = "https://www.insee.fr/fr/statistiques/8202349"
{'sha256 = "' + sha + '"' if sha else ''}

[insee.filosofi.2021]
url = ""
fichier = "cc_filosofi_2021_COM.csv"
""", encoding="utf-8")
    return p


def test_success_progress_and_log(server, tmp_path, capsys):
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    dest = tmp_path / "raw"
    rc = fetch.main(["--sources", str(sources_file(tmp_path, server, sha=sha)), "--dest", str(dest)])
    err = capsys.readouterr().err
    assert rc == 0
    assert (dest / "base-cc-logement-2021_csv.zip").read_bytes() == PAYLOAD
    assert not list(dest.glob("*.part"))
    log = json.loads((dest / "fetch-log.json").read_text(encoding="utf-8"))
    entry = log["base-cc-logement-2021_csv.zip"]
    assert entry["sha256"] == sha and entry["octets"] == len(PAYLOAD) and entry["millesime"] == 2021
    assert "100 %" in err and "Ko" in err
    assert "URL non renseignée" in err  # the filosofi entry without url is skipped, not fatal
    # second run: already there, not downloaded again
    rc = fetch.main(["--sources", str(sources_file(tmp_path, server, sha=sha)), "--dest", str(dest)])
    assert rc == 0 and "présent" in capsys.readouterr().err


def test_download_progress_goes_to_the_given_stream(server, tmp_path):
    src = fetch.Source("insee", "logement", 2021, f"{server}/base-cc-logement-2021_csv.zip", "x.zip")
    out = io.StringIO()
    entry = fetch.download(src, tmp_path, progress=out)
    text = out.getvalue()
    assert text.count("\r") > 2 and "  x.zip :   0 %" not in text.splitlines()[-1]
    assert "100 % (" in text
    assert entry["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()


@pytest.mark.parametrize("path,code", [("/missing.zip", "404"), ("/gone", "410")])
def test_moved_file_says_what_to_do(server, tmp_path, capsys, path, code):
    dest = tmp_path / "raw"
    rc = fetch.main(["--sources", str(sources_file(tmp_path, server, path=path)), "--dest", str(dest), "--theme", "logement"])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"HTTP {code}" in err
    assert "l'Insee a peut-être déplacé le fichier ; mettez à jour datasets/sources.toml" in err
    assert not (dest / "base-cc-logement-2021_csv.zip").exists() and not list(dest.glob("*.part"))


def test_checksum_mismatch_is_refused(server, tmp_path):
    src = fetch.Source("insee", "logement", 2021, f"{server}/base-cc-logement-2021_csv.zip",
                       "base-cc-logement-2021_csv.zip", sha256="0" * 64)
    with pytest.raises(fetch.FetchError, match="somme de contrôle"):
        fetch.download(src, tmp_path, progress=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_timeout_says_what_to_do(server, tmp_path):
    src = fetch.Source("insee", "logement", 2021, f"{server}/slow", "slow.zip")
    with pytest.raises(fetch.FetchError, match="pas de réponse.*déplacé le fichier"):
        fetch.download(src, tmp_path, timeout=0.3, progress=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_server_error(server, tmp_path):
    src = fetch.Source("insee", "logement", 2021, f"{server}/error", "e.zip")
    with pytest.raises(fetch.FetchError, match="HTTP 500"):
        fetch.download(src, tmp_path, progress=io.StringIO())


def test_unknown_theme(tmp_path, capsys):
    rc = fetch.main(["--sources", str(sources_file(tmp_path, "http://127.0.0.1:9")), "--theme", "meteo",
                     "--dest", str(tmp_path / "raw")])
    assert rc == 2 and "thème inconnu meteo" in capsys.readouterr().err


def test_project_sources_file_is_valid():
    sources = fetch.load_sources()
    themes = {s.theme for s in sources}
    assert {"evol_struct_pop", "logement", "emploi_pop_active", "serie_historique", "filosofi",
            "populations_legales"} <= themes
    assert {s.millesime for s in sources if s.theme == "populations_legales"} >= {2021, 2022, 2023}
    for s in sources:
        assert s.url == "" or s.url.startswith("https://www.insee.fr/fr/statistiques/fichier/")
    assert len({s.fichier for s in sources}) == len(sources)


def test_saved_names_are_recognised_by_the_readers(tmp_path):
    """The file names of sources.toml are what the readers recognise."""
    import zipfile

    from etl.readers import registry

    for s in fetch.load_sources():
        p = tmp_path / s.fichier
        if p.suffix == ".zip":
            with zipfile.ZipFile(p, "w") as zf:
                inner = {"populations_legales": "donnees_communes.csv", "filosofi": "cc_filosofi_2021_COM.csv"}
                zf.writestr(inner.get(s.theme, p.name.replace("_csv.zip", ".CSV")), "CODGEO;X\n")
        reader, reason = registry.identify(p)
        assert reader is not None, (s.fichier, reason)


@pytest.mark.parametrize("bad,msg", [
    ('[insee.logement.2021]\nurl="x"\nfichier="../evil.zip"\n', "simple nom"),
    ('[insee.logement.vingt]\nurl="x"\nfichier="a.zip"\n', "millésime"),
    ('[insee.logement.2021]\nurl="x"\nfichier="a.zip"\nsha256="abc"\n', "64"),
    ("not toml [", "TOML invalide"),
])
def test_bad_sources_file(tmp_path, bad, msg):
    p = tmp_path / "sources.toml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(fetch.FetchError, match=msg):
        fetch.load_sources(p)
