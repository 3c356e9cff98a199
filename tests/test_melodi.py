"""`etl fetch --melodi` against a fake Melodi API on 127.0.0.1 (never the network):
paging, 429 with Retry-After, the client-side rate limit (an injected clock, no real sleep)."""
from __future__ import annotations

import collections
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import pytest

from etl import fetch, melodi


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch):
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def _observations(geo: str) -> list[dict]:
    obj, code = geo.split("-", 1)
    out = []
    for year in ("2020", "2021"):
        for measure, value in (("MED_SL", 21000.5), ("PR_MD60", 17.25)):
            status = {"OBS_STATUS": "A", "CONF_STATUS": "F"}
            v = {"value": value + int(year) - 2020}
            if code == "62119" and measure == "PR_MD60" and year == "2020":
                v, status = {"value": None}, {"OBS_STATUS": "A", "CONF_STATUS": "C"}  # a secret cell
            out.append({"dimensions": {"GEO": f"2025-{obj}-{code}", "FREQ": "A", "TIME_PERIOD": year,
                                       "UNIT_MEASURE": "EUR_YR", "FILOSOFI_MEASURE": measure},
                        "measures": {"OBS_VALUE_NIVEAU": v}, "attributes": status})
    return out


class FakeMelodi(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []
    busy = collections.Counter()  # dataset -> 429 answers still to give

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        FakeMelodi.requests.append(self.path)
        q = urllib.parse.parse_qs(url.query)
        ds = url.path.rsplit("/", 1)[-1]
        if FakeMelodi.busy[ds] > 0:
            FakeMelodi.busy[ds] -= 1
            self.send_response(429)
            self.send_header("Retry-After", "3")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if ds == "DS_HTML":
            body = b"<html>maintenance</html>"
        else:
            obs = [o for g in q.get("GEO", []) for o in _observations(g)]
            size = int(q["maxResult"][0])
            page = int(q.get("page", ["1"])[0])
            chunk = obs[(page - 1) * size: page * size]
            paging = {"count": len(obs)}
            if page * size < len(obs) and ds != "DS_NONEXT":  # DS_NONEXT: the client pages by count
                nxt_q = [(k, v) for k, v in urllib.parse.parse_qsl(url.query) if k != "page"] + [("page", str(page + 1))]
                paging["next"] = f"{url.path}?{urllib.parse.urlencode(nxt_q)}"
            body = json.dumps({"identifier": ds, "observations": chunk, "paging": paging}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def api():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeMelodi)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/melodi"
    httpd.shutdown()
    httpd.server_close()


def _client(api, clock, **kw):
    limiter = melodi.RateLimiter(clock=clock, sleep=clock.sleep)
    return melodi.MelodiClient(api, allowed_hosts=("127.0.0.1",), limiter=limiter, sleep=clock.sleep,
                               log=lambda m: None, **kw)


GEOS = ["COM-62119", "COM-62498", "EPCI-200072460", "DEP-62", "REG-32", "FRANCE-F"]


@pytest.mark.parametrize("ds", ["DS_FILOSOFI_CC", "DS_NONEXT"])
def test_paging_and_long_format(api, tmp_path, ds):
    clock = FakeClock()
    client = _client(api, clock)
    FakeMelodi.requests.clear()
    path, n = melodi.fetch_dataset(ds, tmp_path, client=client, geos=GEOS, page_size=5)
    assert path.name == f"{ds}_data.csv" and n == 6 * 4
    assert len(FakeMelodi.requests) == 5  # 24 observations, 5 per page
    lines = path.read_text(encoding="utf-8").splitlines()
    # the measure dimension first (INSEE's order; UNIT_MEASURE is not the measure), attributes before the period
    assert lines[0] == "GEO;GEO_OBJECT;FILOSOFI_MEASURE;FREQ;UNIT_MEASURE;CONF_STATUS;TIME_PERIOD;OBS_VALUE;OBS_STATUS"
    assert "62119;COM;MED_SL;A;EUR_YR;F;2021;21001.5;A" in lines
    assert "62119;COM;PR_MD60;A;EUR_YR;C;2020;;A" in lines  # secret: empty value, CONF_STATUS C
    assert "F;FRANCE;PR_MD60;A;EUR_YR;F;2021;18.25;A" in lines
    assert "200072460;EPCI;MED_SL;A;EUR_YR;F;2020;21000.5;A" in lines
    assert len(lines) == 25 and not list(tmp_path.glob("*.part"))
    assert clock.slept == []  # 5 requests: far from the limit


def test_429_retry_after_is_honoured(api, tmp_path):
    clock = FakeClock()
    FakeMelodi.busy["DS_BUSY"] = 2
    path, n = melodi.fetch_dataset("DS_BUSY", tmp_path, client=_client(api, clock), geos=GEOS[:1])
    assert n == 4
    assert [s for s in clock.slept if s >= 3] == [3.0, 3.0]


def test_rate_limit_30_per_minute(api, tmp_path):
    """70 requests: never more than 30 in any 60 s window of the (fake) clock."""
    clock = FakeClock()
    client = _client(api, clock)
    stamps = []
    acquire = client.limiter.acquire

    def spy():
        waited = acquire()
        stamps.append(clock.now)
        return waited

    client.limiter.acquire = spy
    geos = [f"COM-{62000 + i}" for i in range(70)]
    FakeMelodi.requests.clear()
    path, n = melodi.fetch_dataset("DS_FILOSOFI_CC", tmp_path, client=client, geos=geos, page_size=4)
    assert n == 70 * 4 and len(stamps) == 70 == len(FakeMelodi.requests)
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u < t + 60) <= 30
    assert stamps[-1] - stamps[0] >= 120  # 70 requests need at least two full windows
    assert sum(clock.slept) == pytest.approx(stamps[-1] - stamps[0])


def test_rate_limiter_alone():
    clock = FakeClock()
    lim = melodi.RateLimiter(calls=3, period=10, clock=clock, sleep=clock.sleep)
    waits = [lim.acquire() for _ in range(7)]
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(10) and waits[6] == pytest.approx(10)


def test_html_and_empty_answers_are_errors(api, tmp_path):
    clock = FakeClock()
    with pytest.raises(fetch.FetchError, match="page HTML"):
        melodi.fetch_dataset("DS_HTML", tmp_path, client=_client(api, clock), geos=GEOS)
    with pytest.raises(fetch.FetchError, match="aucune observation"):
        melodi.fetch_dataset("DS_FILOSOFI_CC", tmp_path, client=_client(api, clock), geos=[])
    with pytest.raises(fetch.FetchError, match="identifiant"):
        melodi.fetch_dataset("DS_X/../Y", tmp_path, client=_client(api, clock), geos=GEOS)
    assert list(tmp_path.iterdir()) == []


def test_split_geo():
    assert melodi.split_geo("2025-COM-62119") == ("62119", "COM")
    assert melodi.split_geo("COM-2A004") == ("2A004", "COM")
    assert melodi.split_geo("2025-FRANCE-F") == ("F", "FRANCE")
    assert melodi.dataset_id("filosofi_cc") == "DS_FILOSOFI_CC"


def test_cli_fetches_the_territory(api, tmp_path, capsys):
    src = tmp_path / "sources.toml"
    src.write_text('allowed_hosts = ["127.0.0.1"]\n\n[melodi.filosofi_cc]\ndataset = "DS_FILOSOFI_CC"\n'
                   '[melodi.filosofi_cc.filtres]\nFREQ = "A"\n', encoding="utf-8")
    FakeMelodi.requests.clear()
    rc = fetch.main(["--sources", str(src), "--dest", str(tmp_path / "raw"), "--melodi", "filosofi_cc",
                     "--melodi-url", api])
    err = capsys.readouterr().err
    assert rc == 0, err
    text = (tmp_path / "raw" / "DS_FILOSOFI_CC_data.csv").read_text(encoding="utf-8")
    geos = {line.split(";")[:2][1] + "-" + line.split(";")[0] for line in text.splitlines()[1:]}
    assert {"COM-62119", "COM-62498", "EPCI-200072460", "DEP-62", "REG-32", "FRANCE-F"} <= geos
    assert sum(1 for g in geos if g.startswith("COM-")) == 319  # the territory's communes, no more
    assert all("FREQ=A" in r for r in FakeMelodi.requests)
    assert all(len(r) < 2000 for r in FakeMelodi.requests)
    assert "observations écrites" in err


def test_cli_refuses_a_host_not_allowed(tmp_path, capsys):
    src = tmp_path / "sources.toml"
    src.write_text('allowed_hosts = ["www.insee.fr"]\n', encoding="utf-8")
    rc = fetch.main(["--sources", str(src), "--dest", str(tmp_path), "--melodi", "DS_X", "--melodi-url",
                     "http://127.0.0.1:9/melodi"])
    assert rc == 2 and "127.0.0.1 n'est pas dans allowed_hosts" in capsys.readouterr().err
