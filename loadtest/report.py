"""The load test's report: a dict (written as JSON) and its French text summary."""
from __future__ import annotations

import os

from loadtest.memory import growth
from loadtest.scenario import Tally

KINDS = {"ouverture": "ouverture d'une page par son adresse", "navigation": "navigation (menu)",
         "changement_commune": "changement de commune (menu latéral)"}


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def stats(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    r = lambda v: None if v is None else round(v)  # noqa: E731
    return {"n": len(ms), "p50_ms": r(percentile(ms, 50)), "p95_ms": r(percentile(ms, 95)), "max_ms": r(max(ms) if ms else None)}


def build(config: dict, tally: Tally, elapsed_s: float, memory: dict[int, list[tuple[float, float]]],
          cpu: dict[int, float] | None = None) -> dict:
    erreurs = {"exceptions": tally.exceptions, "encadres_erreur": tally.error_boxes,
               "pages_introuvables": tally.not_found, "http": tally.http_errors,
               "delais_depasses": tally.timeouts, "connexions_perdues": tally.disconnects}
    erreurs["total"] = sum(erreurs.values())
    erreurs["exemples"] = tally.examples
    total = _total(memory)
    actions = sum(len(v) for v in tally.times.values())
    cpu_s = round(sum((cpu or {}).values()), 1) if cpu else None
    slow_s = config.get("lent_s", 60)
    slow = sum(t > slow_s for v in tally.times.values() for t in v)
    # an action that hit its timeout took at least that long: past the threshold if the timeout is
    timed_out = tally.timeouts if config.get("timeout_s", 0) >= slow_s else 0
    return {
        "actions_lentes": {"seuil_s": slow_s, "terminees_au_dela": slow, "abandonnees_au_dela": timed_out,
                           "total": slow + timed_out},
        "charge_machine": {"debut": config.get("charge_debut"), "fin": load_average()},
        "cpu_serveur": {"secondes": cpu_s, "ms_par_action": round(cpu_s * 1000 / actions) if cpu_s and actions else None,
                        "coeurs_occupes": round(cpu_s / elapsed_s, 2) if cpu_s and elapsed_s else None},
        "config": config,
        "duree_s": round(elapsed_s, 1),
        "actions": actions,
        "reconnexions": tally.reconnections,
        "temps": {k: {"fin_du_rendu": stats(tally.times[k]), "premier_graphique": stats(tally.first_chart[k])} for k in KINDS},
        "par_page": {page: stats(v) for page, v in sorted(tally.by_page.items())},
        "erreurs": erreurs,
        "memoire": {
            "processus": {str(pid): {**growth(s), "echantillons": [[round(t, 1), round(v, 1)] for t, v in s]}
                          for pid, s in memory.items()},
            "total": {**growth(total), "echantillons": [[round(t, 1), round(v, 1)] for t, v in total]},
        },
    }


def load_average() -> list[float] | None:
    """The machine's load average (1, 5, 15 min): other processes compete with the server."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _total(memory: dict[int, list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The sum over the server processes, at each sampling round."""
    series = list(memory.values())
    if not series:
        return []
    n = min(len(s) for s in series)
    return [(series[0][i][0], sum(s[i][1] for s in series)) for i in range(n)]


def text(report: dict) -> str:
    """A short French summary for the terminal and the documentation."""
    c = report["config"]
    lines = [f"Essai de charge : {c['sessions']} sessions simultanées, {report['duree_s']:.0f} s, {c['url']}",
             f"Actions : {report['actions']} (reconnexions : {report['reconnexions']})", "",
             "| Action | n | médiane | p95 | max | 1er graphique p95 |", "|---|---|---|---|---|---|"]
    for k, label in KINDS.items():
        t, f = report["temps"][k]["fin_du_rendu"], report["temps"][k]["premier_graphique"]
        lines.append(f"| {label} | {t['n']} | {_ms(t['p50_ms'])} | {_ms(t['p95_ms'])} | {_ms(t['max_ms'])} | {_ms(f['p95_ms'])} |")
    lines += ["", "Par page (toutes actions) : " + " ; ".join(
        f"{page} p50 {_ms(s['p50_ms'])}, p95 {_ms(s['p95_ms'])} (n={s['n']})" for page, s in report["par_page"].items())]
    e = report["erreurs"]
    lines += ["", f"Erreurs : {e['total']} (exceptions {e['exceptions']}, encadrés d'erreur {e['encadres_erreur']}, "
              f"« Page not found » {e['pages_introuvables']}, "
              f"HTTP {e['http']}, délais dépassés {e['delais_depasses']}, connexions perdues {e['connexions_perdues']})"]
    lines += [f"  - {x}" for x in e["exemples"][:5]]
    slow = report.get("actions_lentes")
    if slow:
        lines.append(f"Actions au-delà de {slow['seuil_s']:g} s : {slow['total']} (terminées {slow['terminees_au_dela']}, "
                     f"abandonnées après le délai {slow['abandonnees_au_dela']})")
    load = report.get("charge_machine") or {}
    if load.get("debut") and load.get("fin"):
        lines.append("Charge de la machine (load average 1 min) : début " + f"{load['debut'][0]:.1f}".replace(".", ",")
                     + ", fin " + f"{load['fin'][0]:.1f}".replace(".", ","))
    cpu = report["cpu_serveur"]
    if cpu["secondes"] is not None:
        lines.append(f"CPU des serveurs : {cpu['secondes']:.0f} s, {_ms(cpu['ms_par_action'])} par action, "
                     f"{cpu['coeurs_occupes']:.2f} cœur(s) occupé(s) en moyenne".replace(".", ","))
    for pid, m in report["memoire"]["processus"].items():
        lines.append(f"Mémoire du serveur (pid {pid}) : début {_mb(m['start_mb'])}, pic {_mb(m['peak_mb'])}, "
                     f"fin {_mb(m['end_mb'])}, pente sur la 2e moitié {_slope(m['slope_second_half_mb_per_min'])}")
    return "\n".join(lines)


def _ms(v) -> str:
    return "—" if v is None else f"{v:,}".replace(",", "\u00a0") + "\u00a0ms"


def _mb(v) -> str:
    return "—" if v is None else f"{v:.0f}\u00a0Mo"


def _slope(v) -> str:
    return "—" if v is None else f"{v:+.1f}\u00a0Mo/min".replace(".", ",")
