#!/usr/bin/env python
"""Peak memory and CPU per request of the user's path: ``importer run`` on N customers.

    python bench/memory.py                        # 100,000 rows: the run and the dry run
    python bench/memory.py --rows 20000 --rows 40000 --kind run   # how memory grows per row
    python bench/memory.py --mapping chain        # three requests per customer

The rows are bench/data.py's synthetic Dutch customer export (CSV, one broken cell per 1,000
rows) and the mapping is bench-local (``customers``: one KnSalesRelationOrg per row, no
lookup; ``chain``: sales relation -> agreement -> order). ``importer sandbox`` runs in its own
process, without latency, so that what is measured is the importer alone; the importer runs
as the user runs it, ``importer run MAPPING -i klanten=FILE --out ... --journal ...`` in a
process of its own: start-up, audit trail, progress, journal and workbook included.

The importer's process reports its own figures when its command is done (``bench/flex.py
--cli``, so the workbook written last is included): VmHWM, the peak resident memory of the process
(interpreter and imports included, ~100 MB), and its CPU seconds (user + system, every
thread). CPU per request = those seconds / the requests the audit trail logged (a dry run
sends none: CPU per row). ``bench/run.py`` calls :func:`measure`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import data  # noqa: E402  (bench/data.py)
import flex  # noqa: E402  (bench/flex.py: the sandbox process, the measured importer command)


def measure(rows: int, *, kind: str, mapping: str = "customers", folder: Path) -> dict[str, Any]:
    """One ``importer run`` (``kind`` run or dryrun) of ``rows`` customers; its figures."""
    source = folder / f"klanten-{rows}.csv"
    if not source.exists():
        data.write_csv(source, data.rows(rows, seed=7, invalid_every=1000))
    out = folder / f"{kind}-{rows}"
    out.mkdir(exist_ok=True)
    report = out / "figures.json"
    audit = out / "audit.jsonl"
    argv = [
        "run", str(BENCH / "mappings" / f"{mapping}.yaml"), "-i", f"klanten={source}",
        "--out", str(out / "result.xlsx"), "--quiet", "--yes",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, str(BENCH / "flex.py"), "--cli", str(report)]
    if kind == "dryrun":
        done = subprocess.run([*command, *argv, "--dry-run"], capture_output=True, text=True,
                              env=env, check=False)  # fmt: skip
    else:
        argv += ["--journal", str(out / "journal.sqlite"), "--fresh", "--audit", str(audit)]
        argv += ["--concurrency", "8"]
        with flex.sandbox() as box:
            env |= {"AFAS_BASE_URL": box.base_url, "AFAS_TOKEN": box.token}
            done = subprocess.run(command + argv, capture_output=True, text=True, env=env,
                                  check=False)  # fmt: skip
    if not report.exists():
        raise RuntimeError(f"importer {kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures = json.loads(report.read_text())
    summary = [line for line in done.stdout.splitlines() if "finished" in line]
    requests = sum(flex.requests_of(audit).values()) if kind == "run" else 0
    figures |= {
        "rows": rows,
        "kind": kind,
        "mapping": mapping,
        "exit": done.returncode,
        "summary": summary[-1] if summary else done.stdout[-300:],
        "requests": requests,
    }
    if requests:
        figures["cpu_ms_per_request"] = round(figures["cpu_s"] / requests * 1000, 3)
    figures["cpu_ms_per_row"] = round(figures["cpu_s"] / rows * 1000, 3)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="default: 100000")
    parser.add_argument("--kind", choices=["run", "dryrun", "both"], default="both")
    parser.add_argument("--mapping", choices=["customers", "chain"], default="customers")
    parsed = parser.parse_args(args)
    kinds = ["run", "dryrun"] if parsed.kind == "both" else [parsed.kind]
    with tempfile.TemporaryDirectory() as tmp:
        for rows in parsed.rows or [100_000]:
            for kind in kinds:
                print(f"{kind}: {rows:,} rows ...", file=sys.stderr, flush=True)
                figures = measure(rows, kind=kind, mapping=parsed.mapping, folder=Path(tmp))
                print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
