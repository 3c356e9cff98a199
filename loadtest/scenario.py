"""What each simulated visitor does: open a page by URL, then, until the end, pause,
and either follow the navigation menu or pick another commune in the sidebar."""
from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

from websockets.exceptions import WebSocketException

from loadtest.client import ActionTimeout, HttpError, RunResult, Session

FIRST_TERRITORIES = [None, "62119", "62498"]  # the whole territory, Béthune, Lens
PICKER = "Territoire"
COMMUNE_OPTION = re.compile(r"\((\d{5}|2[AB]\d{3})\)$")


@dataclass
class Tally:
    """Everything the sessions measured, shared by all of them."""
    times: dict[str, list[float]] = field(default_factory=lambda: {"ouverture": [], "navigation": [], "changement_commune": []})
    first_chart: dict[str, list[float]] = field(default_factory=lambda: {"ouverture": [], "navigation": [], "changement_commune": []})
    by_page: dict[str, list[float]] = field(default_factory=dict)
    exceptions: int = 0
    error_boxes: int = 0
    not_found: int = 0
    http_errors: int = 0
    timeouts: int = 0
    disconnects: int = 0
    examples: list[str] = field(default_factory=list)
    reconnections: int = 0

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text[:300])

    def record(self, kind: str, where: str, res: RunResult) -> None:
        self.times[kind].append(res.complete_s)
        self.by_page.setdefault(where or "accueil", []).append(res.complete_s)
        if res.first_chart_s is not None:
            self.first_chart[kind].append(res.first_chart_s)
        self.check(f"{kind} {where or '/'}", res)

    def check(self, what: str, res: RunResult) -> None:
        """Count and note what went wrong in a run."""
        self.exceptions += len(res.exceptions)
        self.error_boxes += len(res.errors)
        self.not_found += len(res.not_found)
        for text in res.exceptions + res.errors + res.not_found:
            self.note(f"{what}: {text}")


async def warm_up(base: str, timeout_s: float) -> list[str]:
    """One untimed visit of the home page, as after a deployment. On a fresh server the
    first session that opens another page gets a spurious "Page not found" dialog
    (Streamlit 1.67; see docs/deploiement.md): the load test measures the steady state."""
    session = Session(base, timeout_s)
    try:
        await session.open("", "")
        return list(session.pages)  # the url paths of the app's pages ("" is the home page)
    finally:
        await session.close()


async def visitor(n: int, base: str, deadline: float, tally: Tally, rng: random.Random,
                  think: tuple[float, float], timeout_s: float, start_delay: float, pages: list[str]) -> None:
    """One visitor until the deadline; a broken connection is counted and a new visit starts.

    `pages`: the url paths to open directly (unknown without a warm-up: the home page)."""
    await asyncio.sleep(start_delay)
    while time.monotonic() < deadline:
        session = Session(base, timeout_s)
        where = rng.choice(pages or [""])
        terr = rng.choice(FIRST_TERRITORIES)
        try:
            res = await session.open(where, f"territoire={terr}" if terr else "")
            tally.record("ouverture", where, res)
            if res.follow_up is not None:  # the tools after the first screen: checked, not an action
                tally.check(f"ouverture (suite) {where or '/'}", res.follow_up)
            while time.monotonic() < deadline:
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= deadline:
                    break
                communes = [o for o in (session.widgets.get(PICKER).options if PICKER in session.widgets else [])
                            if COMMUNE_OPTION.search(o)]
                if communes and rng.random() < 0.4:
                    choice = rng.choice(communes)
                    res = await session.select(PICKER, choice)
                    tally.record("changement_commune", where, res)
                    shown = session.widgets.get(PICKER)
                    if shown is not None and shown.value != choice:
                        tally.error_boxes += 1
                        tally.note(f"session {n} {where or '/'}: commune choisie {choice!r}, affichée {shown.value!r}")
                else:
                    where = rng.choice([p for p in session.pages if p != where] or [""])
                    res = await session.navigate(where)
                    tally.record("navigation", where, res)
                if PICKER not in session.widgets:
                    tally.error_boxes += 1
                    tally.note(f"session {n} {where or '/'}: le sélecteur de territoire n'est pas affiché")
            return
        except ActionTimeout as e:
            tally.timeouts += 1
            tally.note(f"session {n} {where or '/'}: {e}")
        except HttpError as e:
            tally.http_errors += 1
            tally.note(f"session {n}: {e}")
        except (WebSocketException, OSError, TimeoutError) as e:
            tally.disconnects += 1
            tally.note(f"session {n} {where or '/'}: connexion perdue ({type(e).__name__}: {e})")
        finally:
            await session.close()
        tally.reconnections += 1
        await asyncio.sleep(1)
