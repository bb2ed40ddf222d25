"""Common Ground's performance harness: `make bench` (or `python -m benchmarks`).

It builds a synthetic clinic at bulk-load speed (`clinic`, `loader`, `build`), serves the real application
under gunicorn (`server`, `environment`), drives it from a separate load-generator process (`loadgen`) and
measures, in the same run, a plain-WSGI floor that replays the application's own SQL (`capture`, `floor`).
Scenarios live in a registry (`scenarios`); results go to `var/bench/results.json` and `docs/benchmarks.md`
(`results`, `report`). The notes a person writes live in `benchmarks/NOTES.md`.
"""
