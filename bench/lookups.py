"""Lookups in bulk: what the shipped Flex mapping asks, and how long it takes, on the user's path.

``python bench/lookups.py [--rows 2000] [--latency-ms 50 300]`` runs the ``importer`` command on
``mappings/flex.yaml`` (start-up, audit trail, progress and workbook included) against the
sandbox in its own process (``importer sandbox --latency-ms L --empty``), at concurrency 8:

1. a first run of ``--rows`` customers (nothing exists yet);
2. the same file again with a new journal (``--fresh``): every customer exists, so every
   agreement is looked up by its debtor's id.

Per run it prints the GetConnector requests per connector (from the run's audit trail), the
lookup requests per row of a step, and the wall time against the per-row write limit
``writes x latency / 8`` (writes: the POSTs the run sent).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLEX = ROOT / "mappings" / "flex.yaml"
HEADER = (ROOT / "samples/flex/klanten.csv").read_text(encoding="utf-8-sig").splitlines()[0]
CONCURRENCY = 8


def customers(path: Path, rows: int) -> Path:
    lines = [
        f"{60000 + i};Klant {i};Klant {i} B.V.;KLANT{i};{70000000 + i};01-03-2024;;;"
        f"Dorpsstraat;{i + 1};3833LC;Leusden;NL;ALG;Klantovereenkomst {i};24"
        for i in range(rows)
    ]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def run(folder: Path, env: dict[str, str], *args: str) -> tuple[float, Counter[str], int]:
    """One ``importer run``: wall time, GetConnector requests by connector, POSTs."""
    audit = folder / "flex.audit.jsonl"
    seen = len(audit.read_text().splitlines()) if audit.exists() else 0
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "importer", "run", str(FLEX), "--concurrency", str(CONCURRENCY),
         *args],
        cwd=folder, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"importer run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    gets: Counter[str] = Counter()
    posts = 0
    for line in audit.read_text().splitlines()[seen:]:
        record = json.loads(line)
        if record.get("event") != "exchange":
            continue
        path = record["url"].split("?")[0]
        if record["method"] == "GET" and "/connectors/" in path:
            gets[path.rsplit("/", 1)[1]] += 1
        elif record["method"] == "POST":
            posts += 1
    return took, gets, posts


def measure(rows: int, latency_ms: float) -> None:
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", "--empty", "--token",
         "bench", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert sandbox.stdout is not None
        base_url = next(
            line.split("=", 1)[1].strip()
            for line in sandbox.stdout
            if line.startswith("export AFAS_BASE_URL=")
        )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            env = {
                **os.environ,
                "AFAS_BASE_URL": base_url,
                "AFAS_TOKEN": "bench",
                "IMPORTER_JOURNAL_DIR": str(folder / "journals"),
                "IMPORTER_STATE_DIR": str(folder / "state"),
            }
            file = customers(folder / "klanten.csv", rows)
            for name, extra in (("first run", ()), ("rerun, new journal", ("--fresh",))):
                took, gets, posts = run(folder, env, "--input", str(file), *extra)
                limit = max(posts, 1) * latency_ms / 1000 / CONCURRENCY
                print(
                    f"{latency_ms:g} ms, {rows} customers, {name}: lookups {dict(gets)} = "
                    f"{sum(gets.values()) / rows:.4f} per customer "
                    f"(Profit_Debtor {gets['Profit_Debtor'] / rows:.4f} per row of its step); "
                    f"{posts} writes; {took:.1f} s = {took / limit:.2f}x the write limit "
                    f"{limit:.1f} s"
                    if posts
                    else f"{latency_ms:g} ms, {rows} customers, "
                    f"{name}: lookups {dict(gets)} = {sum(gets.values()) / rows:.4f} per "
                    f"customer; no writes; {took:.1f} s"
                )
    finally:
        sandbox.send_signal(signal.SIGINT)
        sandbox.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[50.0, 300.0])
    options = parser.parse_args()
    for latency in options.latency_ms:
        measure(options.rows, latency)


if __name__ == "__main__":
    main()
