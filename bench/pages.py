"""3. Page reruns: warm server-side time of a full run of each page (app.py
through AppTest), for the whole territory and for a commune."""
from __future__ import annotations

from bench.common import PY, Config, Section, Stats, run_json, verdict

TARGET_RERUN_S = 0.150


def collect(cfg: Config, warehouse: str | None = None, pages: str | None = None) -> dict:
    env = {"CHIFFRES_CLEFS_WAREHOUSE": warehouse} if warehouse else None
    cmd = [PY, "-m", "bench.pages_job", str(cfg.r)] + (["--pages", pages] if pages else [])
    return run_json(cmd, env=env, timeout=1800)


def run(cfg: Config, result: dict | None = None, title: str = "3. Page reruns (server side, warm)") -> Section:
    result = result or collect(cfg, pages="accueil,demographie" if cfg.smoke else None)
    s = Section(title, ["page", "territory", "median ms", "p95 ms", "charts (plotly/deck)", "target"])
    for r in result["runs"]:
        label = "whole territory" if r["territoire"] == result["territoire"] else f"commune {r['territoire']}"
        if r.get("error"):
            s.add(r["page"], label, "", "", "", f"**page error**: `{r['error']}`", error=r["error"])
            continue
        st = Stats(r["samples"])
        s.add(r["page"], label, *st.ms(), f"{r['plotly']}/{r['deck']}", verdict(st.median, TARGET_RERUN_S),
              median_s=st.median, p95_s=st.p95, communes=result["communes"])
    s.notes.append(f"territory of {result['communes']} communes; `AppTest.from_file('app.py')`, "
                   "`switch_page`, 2 warm-up runs then timed `at.run()` (includes AppTest's own overhead of "
                   "collecting the element tree).")
    return s
