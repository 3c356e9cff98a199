"""Benchmarks of Chiffres Clefs: `python -m bench` (see BENCHMARKS.md).

One module per measured area (etl, queries, pages, browser, exports, scale);
timings live here, never in the test suite. `python -m bench --smoke` runs
every benchmark once on tiny inputs (what tests/test_bench_smoke.py checks).
"""
