"""`python -m bench [--smoke] [--only etl,queries,pages,browser,exports,scale] [--json FILE]`

Prints a Markdown report (machine, commit, then one section per area) on stdout."""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from dataclasses import asdict

from bench.common import Config, Section, load, machine

AREAS = ("etl", "queries", "pages", "browser", "exports", "scale")


def _sections(area: str, cfg: Config) -> list[Section]:
    if area == "memory":  # bench/etl_memory.py: ETL memory on hostile files (section 7)
        from bench import etl_memory
        return [etl_memory.run(cfg)]
    if area == "etl":
        from bench import etl
        return [etl.run(cfg)]
    if area == "queries":
        from bench import queries
        return [queries.run(cfg)]
    if area == "pages":
        from bench import pages
        return [pages.run(cfg)]
    if area == "browser":
        from bench import browser
        return [browser.run(cfg)]
    if area == "exports":
        from bench import exports
        return [exports.run(cfg)]
    from bench import scale
    return scale.run(cfg)


AREAS += ("memory",)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    p.add_argument("--smoke", action="store_true", help="one repetition on tiny inputs (checks that everything runs)")
    p.add_argument("--only", default=",".join(AREAS), help="comma-separated areas: " + ", ".join(AREAS))
    p.add_argument("--reps", type=int, default=7, help="repetitions of fast measurements (default 7)")
    p.add_argument("--slow-reps", type=int, default=3, help="repetitions of slow ones: builds, browser, PDF (default 3)")
    p.add_argument("--json", default=None, help="also write every figure as JSON to this file")
    args = p.parse_args(argv)
    cfg = Config(smoke=args.smoke, reps=args.reps, quick_reps=args.slow_reps)
    areas = [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = set(areas) - set(AREAS)
    if unknown:
        p.error(f"unknown areas: {', '.join(sorted(unknown))}")
    sections = [machine()]
    print(sections[0].markdown(), flush=True)
    failed = False
    for area in areas:
        t0 = time.perf_counter()
        try:
            new = _sections(area, cfg)
        except Exception:
            failed = True
            new = [Section(f"{area}: FAILED", [], notes=["```\n" + traceback.format_exc()[-3000:] + "```"])]
        for s in new:
            s.notes.append(f"(section measured in {time.perf_counter() - t0:.0f} s; load average at its end {load()})")
            print(s.markdown(), flush=True)
        sections += new
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"smoke": cfg.smoke, "sections": [asdict(s) for s in sections]}, fh, ensure_ascii=False, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
