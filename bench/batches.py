"""Several records per request (``batch:``): requests per row of a refused batch's splitting,
and the wall time of a 2,000-customer Flex import against the per-row write limit.

```sh
python bench/batches.py                      # simulation + imports at 50 ms (~3 minutes)
python bench/batches.py --latency-ms 300     # the same at 300 ms (~10 minutes)
python bench/batches.py --simulate           # the simulation alone (a second)
```

The simulation counts the requests and round trips a batch of N rows with a share p of
refused rows takes until every refused row is sent alone (:func:`importer.batches.split`),
for a target whose refusal names no row (halving only) and for one whose message quotes a
value of the first refused row that no other row holds (AFAS's usually do: that row goes
alone first, the others together).

The imports run the ``importer`` command on the shipped Flex mapping (KnSalesRelationOrg →
PtProject, with its lookups), the sandbox in its own process (``importer sandbox``) with
latency, concurrency 8, start-up, audit trail and workbook included. The per-row write limit is
``writes × latency / 8`` with writes = 2 per customer (one request per record). Refusals: a
share of the customers get a project group the sandbox does not know (each its own value), so
their agreements are refused by the target on their merits.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from importer.batches import split  # noqa: E402

# --- simulation --------------------------------------------------------------------------------


def simulate(size: int, share: float, *, named: bool, batches: int = 4000, seed: int = 1) -> dict:
    """Requests per row and the deepest chain of round trips, over ``batches`` batches."""
    draw = random.Random(seed)
    requests = depth_sum = rows = 0
    for _ in range(batches):
        bad = [draw.random() < share for _ in range(size)]
        rows += size
        pending = [(list(range(size)), 1)]
        deepest = 0
        while pending:
            part, depth = pending.pop()
            requests += 1
            deepest = max(deepest, depth)
            refused = [i for i in part if bad[i]]
            if not refused or len(part) == 1:
                continue
            culprits = (part.index(refused[0]),) if named else ()
            for sub in split(part, culprits):  # type: ignore[arg-type]
                pending.append((sub, depth + 1))
        depth_sum += deepest
    return {"requests_per_row": requests / rows, "round_trips": depth_sum / batches}


# --- imports -----------------------------------------------------------------------------------


def customers(path: Path, count: int, refused: float, seed: int = 7) -> int:
    """A Flex klanten.csv of ``count`` customers, a share ``refused`` of them with a project
    group the target refuses; returns how many."""
    sample = (ROOT / "samples" / "flex" / "klanten.csv").read_text(encoding="utf-8-sig")
    header, *rows = sample.splitlines()
    columns = header.split(";")
    draw = random.Random(seed)
    bad = set(draw.sample(range(count), round(count * refused)))
    lines = [header]
    for i in range(count):
        cells = rows[i % len(rows)].split(";")
        cells[columns.index("Klantnummer")] = str(100000 + i)
        cells[columns.index("Naam")] = f"Klant {i}"
        cells[columns.index("KvK-nummer")] = f"{10000000 + i:08d}"
        cells[columns.index("Omschrijving")] = f"Klantovereenkomst {i}"
        if i in bad:
            cells[columns.index("Projectgroep")] = f"X{i}"
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return len(bad)


def mapping(folder: Path, source: Path, batch: int | None, *, lookups: bool = True) -> Path:
    """The shipped Flex mapping reading ``source``, with ``batch:`` on both steps; without its
    lookups (``match:``, ``find:``) to measure the writes alone."""
    data = yaml.safe_load((ROOT / "mappings" / "flex.yaml").read_text())
    data["sources"]["klanten"]["file"] = str(source)
    data["templates"] = str(ROOT / "templates")
    for step in data["steps"]:
        if batch:
            step["batch"] = batch
        if not lookups:
            step.pop("match", None)
            step.pop("find", None)
    path = folder / f"flex-{batch or 1}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def sandbox(latency_ms: float) -> tuple[subprocess.Popen, dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", "--empty", "--token",
         "bench", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("export AFAS_BASE_URL="):
            return process, {"AFAS_BASE_URL": line.split("=", 1)[1].strip(), "AFAS_TOKEN": "bench"}
    raise RuntimeError("the sandbox did not start")


def requests(audit: Path) -> dict[str, int]:
    """Requests by method, from the audit trail."""
    import json

    counts: dict[str, int] = {}
    for line in audit.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("event") == "exchange":
            counts[entry["method"]] = counts.get(entry["method"], 0) + 1
    return counts


def imported(folder: Path, path: Path, latency_ms: float, concurrency: int) -> dict[str, Any]:
    process, env = sandbox(latency_ms)
    try:
        work = folder / path.stem
        work.mkdir()
        start = time.perf_counter()
        ran = subprocess.run(
            [sys.executable, "-m", "importer", "run", str(path), "--concurrency",
             str(concurrency), "--journal", str(work / "journal.sqlite")],
            cwd=work,
            env={**os.environ, **env, "IMPORTER_JOURNAL_DIR": str(work)},
            capture_output=True,
            text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    summary = ran.stdout.strip().splitlines()[0] if ran.stdout.strip() else ran.stderr[-300:]
    return {
        "wall_s": wall,
        "summary": summary,
        "requests": requests(work / f"{path.stem}.audit.jsonl"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--simulate", action="store_true", help="the simulation only")
    parser.add_argument("--no-single", action="store_true", help="skip the run without batches")
    parser.add_argument(
        "--no-lookups", action="store_true", help="without the mapping's match: and find:"
    )
    args = parser.parse_args(argv)

    print("simulation: requests per row (round trips) until every refused row is alone")
    for size in (10, 25, 50):
        for share in (0.02, 0.1):
            halving = simulate(size, share, named=False)
            named = simulate(size, share, named=True)
            print(
                f"  batch {size:3}, {share:4.0%} refused: halving {halving['requests_per_row']:.3f}"
                f" ({halving['round_trips']:.1f}); first refused row named "
                f"{named['requests_per_row']:.3f} ({named['round_trips']:.1f})"
            )
    if args.simulate:
        return 0

    latency = args.latency_ms / 1000
    limit = 2 * args.customers * latency / args.concurrency
    print(
        f"\nFlex import of {args.customers:,} customers, concurrency {args.concurrency}, "
        f"latency {args.latency_ms:g} ms{', without lookups' if args.no_lookups else ''}: "
        f"per-row write limit {limit:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clean, refusing = folder / "clean.csv", folder / "refused.csv"
        customers(clean, args.customers, 0)
        bad = customers(refusing, args.customers, 0.1)
        runs = [("batch 25", clean, 25), ("batch 25, 10 % refused", refusing, 25)]
        if not args.no_single:
            runs.insert(0, ("no batch", clean, None))
        for label, source, batch in runs:
            sub = folder / label.replace(" ", "").replace(",", "").replace("%", "")
            sub.mkdir()
            path = mapping(sub, source, batch, lookups=not args.no_lookups)
            got = imported(sub, path, args.latency_ms, args.concurrency)
            print(
                f"  {label:24} {got['wall_s']:6.1f} s = {got['wall_s'] / limit:.3f} of the limit;"
                f" requests {got['requests']}; {got['summary']}"
            )
        print(f"  ({bad} customers refused in the refused run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
