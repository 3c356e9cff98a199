"""`python -m loadtest`: many simultaneous visitors on a local server, for a bounded time.

    python -m loadtest                              # own server, 30 sessions, 3 minutes
    python -m loadtest --sessions 45 --duration 300 --json rapport.json
    python -m loadtest --url http://127.0.0.1:8080 --pid 1234 --pid 1235   # behind nginx

Only 127.0.0.1 is accepted; sessions and duration are capped; the run stops by itself.
Exit code 0 when no error was seen, 1 otherwise, 2 for bad options."""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from loadtest import report
from loadtest.client import local_only
from loadtest.memory import tree_cpu_s, tree_rss_mb
from loadtest.scenario import Tally, visitor, warm_up
from loadtest.server import streamlit_server

MAX_SESSIONS = 60
MAX_DURATION_S = 15 * 60


def options(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtest", description="Essai de charge local de l'application.")
    p.add_argument("--url", help="serveur à tester (http://127.0.0.1:PORT) ; par défaut un serveur est lancé")
    p.add_argument("--pid", type=int, action="append", default=[], help="processus serveur dont mesurer la mémoire (répétable)")
    p.add_argument("--sessions", type=int, default=30, help=f"sessions simultanées (1 à {MAX_SESSIONS}, défaut 30)")
    p.add_argument("--duration", type=float, default=180, help=f"durée en secondes (défaut 180, au plus {MAX_DURATION_S})")
    p.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                   help="pause d'un visiteur entre deux actions, en secondes (défaut 5 à 15 : il lit la page)")
    p.add_argument("--timeout", type=float, default=60, help="délai maximal d'une action en secondes (défaut 60)")
    p.add_argument("--slow", type=float, default=60, metavar="S",
                   help="seuil d'une action « lente » en secondes, comptée à part dans le rapport (défaut 60)")
    p.add_argument("--sample-every", type=float, default=5, help="intervalle des mesures de mémoire en secondes (défaut 5)")
    p.add_argument("--json", type=Path, help="écrire le rapport complet dans ce fichier")
    p.add_argument("--no-warmup", action="store_true", help="ne pas ouvrir la page d'accueil une fois avant de mesurer")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    if not 1 <= a.sessions <= MAX_SESSIONS:
        p.error(f"--sessions doit être entre 1 et {MAX_SESSIONS}")
    if not 1 <= a.duration <= MAX_DURATION_S:
        p.error(f"--duration doit être entre 1 et {MAX_DURATION_S} secondes")
    if not 0 <= a.think[0] <= a.think[1] <= 60 or not 1 <= a.timeout <= 300 or not 0.5 <= a.sample_every <= 60 \
            or not 0 < a.slow <= 300:
        p.error("--think, --timeout, --slow ou --sample-every hors limites")
    if a.url:
        try:
            a.url = local_only(a.url)
        except ValueError as e:
            p.error(str(e))
    return a


async def _sample(pids: list[int], every: float, stop: asyncio.Event, out: dict[int, list[tuple[float, float]]]) -> None:
    t0 = time.monotonic()
    while True:
        t = time.monotonic() - t0
        for pid in pids:
            rss = tree_rss_mb(pid)
            if rss is not None:
                out[pid].append((t, rss))
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except TimeoutError:
            pass


async def run(url: str, pids: list[int], a: argparse.Namespace) -> dict:
    tally = Tally()
    load_start = report.load_average()
    cpu_start = {pid: tree_cpu_s(pid) for pid in pids}
    memory: dict[int, list[tuple[float, float]]] = {pid: [] for pid in pids}
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(pids, a.sample_every, stop, memory))
    pages: list[str] = []
    if not a.no_warmup:
        try:
            pages = await warm_up(url, a.timeout)
        except Exception as e:  # counted, and the visitors will meet the same failure
            tally.http_errors += 1
            tally.note(f"visite de préchauffage : {type(e).__name__}: {e}")
    rng = random.Random(a.seed)
    t0 = time.monotonic()
    deadline = t0 + a.duration
    ramp = min(10.0, a.duration / 4)  # visitors arrive over the first seconds, not all at once
    tasks = [visitor(i, url, deadline, tally, random.Random(rng.random()), tuple(a.think), a.timeout, ramp * i / a.sessions,
                     pages)
             for i in range(a.sessions)]
    try:
        # hard stop: the duration, plus one action timeout for the runs in flight
        await asyncio.wait_for(asyncio.gather(*tasks), a.duration + a.timeout + 30)
    except TimeoutError:
        tally.timeouts += 1
        tally.note("arrêt forcé : des sessions ne se sont pas terminées à temps")
    elapsed = time.monotonic() - t0
    cpu = {pid: (tree_cpu_s(pid) or 0) - (cpu_start[pid] or 0) for pid in pids if cpu_start[pid] is not None}
    stop.set()
    await sampler
    config = {"url": url, "sessions": a.sessions, "duration_s": a.duration, "think_s": list(a.think),
              "timeout_s": a.timeout, "pids": pids, "warmup": not a.no_warmup, "pages": pages, "client": "websocket (protocole Streamlit)",
              "lent_s": a.slow, "charge_debut": load_start}
    return report.build(config, tally, elapsed, memory, cpu)


def main(argv=None) -> int:
    a = options(argv)
    server = nullcontext((a.url, None)) if a.url else streamlit_server()
    with server as (url, own_pid):
        pids = a.pid or ([own_pid] if own_pid else [])
        result = asyncio.run(run(url, pids, a))
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report.text(result))
    return 0 if result["erreurs"]["total"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
