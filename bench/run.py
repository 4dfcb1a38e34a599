#!/usr/bin/env python
"""Benchmarks of the importer against the limits in the performance issue.

    python bench/run.py                      # everything, a few minutes on 2 cores
    python bench/run.py --quick              # a smoke version, about 30 s
    python bench/run.py --only dryrun        # one benchmark (repeat --only for more)
    python bench/run.py --out results.json   # where the figures go (default bench/results.json)

Benchmarks (names for --only):

- ``throughput``: rows of one step (KnSalesRelationOrg, 12 columns) against the in-process
  sandbox with 50 ms latency at concurrency 1, 4 and 8 (the best of 3 runs at 8): rows/s and
  the ratio to the limit (concurrency / latency). Calibrations: the sandbox in its own process
  (``importer sandbox``); the *floor*, the same bodies pre-rendered and posted by 8 bare httpx
  threads (no journal, no rendering) - what this machine and sandbox allow at all; and both
  against an ideal target (bench/stub.py).
- ``chains``: customers through sales relation -> agreement -> order (three dependent
  requests each) at concurrency 8 (the best of 3 runs): the ratio to the critical-path limit
  ``max(requests x latency / concurrency, depth x latency)``; calibrations as above.
- ``dryrun``: a 100,000-row CSV and xlsx through read, validate, contract check and render
  (``importer.plan.prepare``), each in a fresh subprocess: rows/s, the ratio to a bare
  ``pandas.read_csv`` / ``pandas.read_excel`` of the same file, the importer's xlsx read against
  openpyxl's, and the peak memory (``ru_maxrss`` of the subprocess, interpreter and imports
  included). Times are CPU seconds of the subprocess (single-threaded work), so that other
  load on the machine does not distort the ratios; wall seconds are in the JSON.
- ``resume``: a completed 10,000-row import run again (same journal, same sandbox): write
  requests sent (target 0) and its time relative to the first run.
- ``naive``: the same rows posted by a plain sequential loop written by hand (csv.DictReader,
  a dict per row, ``httpx.post``), for the ratio users care about.

Everything is generated into a temporary folder (synthetic Dutch data, see bench/data.py); the
mappings and templates are bench-local (bench/mappings, bench/templates). The sandbox runs in
this process (as ``importer run --sandbox`` does), so its CPU is shared with the importer; it
is measured separately (CPU clock of its server thread) and reported per request.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # measure this clone's code, installed or not
sys.path.insert(0, str(BENCH))

import data  # noqa: E402  (bench/data.py)
import flex  # noqa: E402  (bench/flex.py: the importer command on the shipped Flex mapping)
import memory  # noqa: E402  (bench/memory.py: peak memory of the importer command)

LATENCY_MS = 50.0
FULL = {
    "throughput_rows": 2000,
    "concurrencies": [1, 4, 8],
    "calibration_rows": 1000,
    "chain_customers": 500,
    "dry_rows": 100_000,
    "dry_invalid_every": 1000,  # one broken cell per 1,000 rows, as real exports have
    "resume_rows": 10_000,
    "naive_rows": 500,  # of the same 2,000 rows: a sequential loop's rate is constant
    "repeats": 2,
    "best_of": 3,  # runs at concurrency 8 (throughput, chains): the best counts
    "flex_customers": 2000,
    "flex_latencies": [50, 300],
    "rerun_customers": 10_000,
    "memory_rows": 100_000,
}
QUICK = {
    "throughput_rows": 80,
    "concurrencies": [1, 4, 8],
    "calibration_rows": 80,
    "chain_customers": 40,
    "dry_rows": 5_000,
    "dry_invalid_every": 1000,
    "resume_rows": 400,
    "naive_rows": 40,
    "repeats": 1,
    "best_of": 1,
    "flex_customers": 100,
    "flex_latencies": [50],
    "rerun_customers": 300,
    "memory_rows": 2_000,
}
NAMES = ("throughput", "chains", "dryrun", "resume", "naive", "flex", "refusals", "rerun", "memory")


# --- Machine ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib import metadata

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for name in (
        "pandas", "numpy", "pandera", "httpx", "openpyxl", "python-calamine", "jinja2",
        "starlette", "uvicorn",
    ):  # fmt: skip
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine skews the figures."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --- Helpers ----------------------------------------------------------------------------------


class Timeline:
    """An Observer: when sending started (the first step) and when the last row was done."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last: float | None = None
        self.done = 0
        self._lock = threading.Lock()

    def step_started(self, step: Any, rows: int) -> None:
        if self.first is None:
            self.first = time.perf_counter()

    def row_done(self, step: Any, outcome: Any) -> None:
        with self._lock:
            self.last = time.perf_counter()
            self.done += 1


def _thread_cpu(thread: threading.Thread | None) -> float | None:
    """CPU seconds a thread has used (Linux), or None."""
    if thread is None or thread.ident is None:
        return None
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (AttributeError, OSError):
        return None


def _server_thread(box: Any) -> threading.Thread | None:
    thread = getattr(getattr(box, "server", None), "_thread", None)
    return thread if isinstance(thread, threading.Thread) else None


@contextlib.contextmanager
def sandbox(latency_ms: float) -> Iterator[Any]:
    from importer.sandbox import AfasSandbox, Faults

    box = AfasSandbox.start(faults=Faults(latency_ms=latency_ms))
    try:
        yield box
    finally:
        box.stop()


def load_mapping(name: str, source: Path) -> Any:
    from importer import load_mapping as load

    return load(BENCH / "mappings" / f"{name}.yaml").with_inputs({"klanten": source})


class Server:
    """Where an import sends to: the in-process sandbox, or the ideal stub (bench/stub.py)."""

    def __init__(self, base_url: str, token: str, box: Any = None, process: Any = None):
        self.base_url, self.token, self.box, self.process = base_url, token, box, process

    def writes(self) -> int | None:
        return len(self.box.state.requests) if self.box is not None else None

    def cpu(self) -> float | None:
        if self.box is not None:
            return _thread_cpu(_server_thread(self.box))
        if self.process is not None:
            return flex.process_cpu(self.process.pid)
        return None


@contextlib.contextmanager
def in_process_sandbox(latency_ms: float) -> Iterator[Server]:
    with sandbox(latency_ms) as box:
        yield Server(box.base_url, box.token, box=box)


@contextlib.contextmanager
def sandbox_process(latency_ms: float) -> Iterator[Server]:
    """The sandbox in its own process (``importer sandbox``), as a real target runs on its own
    machine: its CPU no longer competes for the importer's interpreter lock."""
    with flex.sandbox(latency_ms) as box:
        yield Server(box.base_url, box.token, process=box.process)


@contextlib.contextmanager
def ideal_target(latency_ms: float) -> Iterator[Server]:
    """bench/stub.py in its own process: waits, answers 201, nothing else."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "stub.py"), str(latency_ms)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = json.loads(process.stdout.readline())["base_url"]
        yield Server(base_url, "bench", process=process)
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=10)


def import_run(
    mapping: Any, server: Server, concurrency: int, journal_path: Path, rows: int
) -> dict[str, Any]:
    """One import with the library API; wall and CPU split between importer and server."""
    from importer.journal.store import Journal
    from importer.runner import run
    from importer.sending import Options
    from importer.targets.afas.client import AfasTarget

    target = AfasTarget(server.base_url, server.token, concurrency=concurrency)
    journal = Journal.open(journal_path, target=target.host, mapping=str(mapping.path))
    timeline = Timeline()
    writes = server.writes()
    in_process = server.box is not None
    cpu0, server0, start = time.process_time(), server.cpu(), time.perf_counter()
    try:
        result = run(
            mapping,
            target,
            journal=journal,
            options=Options(concurrency=concurrency, observer=timeline),
        )
    finally:
        wall = time.perf_counter() - start
        cpu, server1 = time.process_time() - cpu0, server.cpu()
        journal.close()
        target.close()
    sent = server.writes() - writes if writes is not None else None
    server_cpu = server1 - server0 if server0 is not None and server1 is not None else None
    own_cpu = cpu - (server_cpu or 0) if in_process else cpu
    requests = sent if sent is not None else rows * len(mapping.steps)
    prepare = (timeline.first - start) if timeline.first else None
    send = (timeline.last - timeline.first) if timeline.first and timeline.last else None
    return {
        "rows": rows,
        "wall_s": round(wall, 3),
        "prepare_s": round(prepare, 3) if prepare is not None else None,
        "send_s": round(send, 3) if send is not None else None,
        "write_requests": sent,
        "statuses": dict(result.row_statuses()),
        "summary": result.summary_line(),
        "cpu_importer_ms_per_row": round(own_cpu / rows * 1000, 3) if rows else None,
        "cpu_server_ms_per_request": (
            round(server_cpu / requests * 1000, 3) if server_cpu is not None and requests else None
        ),
        "_result": result,
    }


def _public(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if not k.startswith("_")}


def _fresh_journal(folder: Path, name: str) -> Path:
    path = folder / f"{name}.journal.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- 1. Throughput ----------------------------------------------------------------------------


def bench_throughput(size: dict[str, Any], folder: Path) -> dict[str, Any]:
    n = size["throughput_rows"]
    rows = data.rows(n, seed=1)
    mapping = load_mapping("customers", data.write_csv(folder / "throughput.csv", rows))
    top = max(size["concurrencies"])
    runs = []
    for concurrency in size["concurrencies"]:
        limit_s = n * LATENCY_MS / 1000 / concurrency
        say(f"throughput: {n} rows at concurrency {concurrency} (limit {limit_s:.1f} s)")
        runs.append(
            _best_of(
                size["best_of"] if concurrency == top else 1,
                lambda c=concurrency: _throughput_run(mapping, in_process_sandbox, c, folder, n),
            )
        )
    say(f"throughput, calibration: {n} rows at concurrency {top}, sandbox in its own process")
    own = _throughput_run(mapping, sandbox_process, top, folder, n)
    # Calibration at the highest concurrency, on the first rows: what the HTTP stack and the
    # server allow at all, and the importer against a server that costs nothing.
    m = size["calibration_rows"]
    sample = load_mapping("customers", data.write_csv(folder / "calibration.csv", rows[:m]))
    say(f"throughput, calibration: {m} pre-rendered bodies, {top} bare httpx threads, sandbox")
    floor = bench_floor(sample, m, top, in_process_sandbox)
    say(f"throughput, calibration: {m} rows at concurrency {top} against an ideal target")
    ideal = _throughput_run(sample, ideal_target, top, folder, m)
    say(f"throughput, calibration: {m} pre-rendered bodies, {top} bare httpx threads, ideal target")
    ideal_floor = bench_floor(sample, m, top, ideal_target)
    return {
        "latency_ms": LATENCY_MS,
        "rows": n,
        "runs": runs,
        "own_process": own,
        "floor": floor,
        "ideal_target": ideal,
        "ideal_floor": ideal_floor,
    }


def _best_of(times: int, measure: Any) -> dict[str, Any]:
    """The run with the best ratio of ``times`` (as timeit takes the best: slower runs measure
    the shared machine's other load), with the ratios of all of them."""
    runs = [measure() for _ in range(times)]
    best = max(runs, key=lambda r: r["ratio"])
    return {**best, "ratios_of_runs": [r["ratio"] for r in runs]}


def _throughput_run(
    mapping: Any, serve: Any, concurrency: int, folder: Path, n: int
) -> dict[str, Any]:
    before, speed = load(), cpu_probe()
    with serve(LATENCY_MS) as server:
        got = _public(import_run(mapping, server, concurrency, _fresh_journal(folder, "tp"), n))
    limit = concurrency / (LATENCY_MS / 1000)
    got.update(
        concurrency=concurrency,
        limit_rows_per_s=limit,
        rows_per_s=round(n / got["wall_s"], 1),
        ratio=round(n / got["wall_s"] / limit, 3),
        send_rows_per_s=round(n / got["send_s"], 1) if got["send_s"] else None,
        send_ratio=round(n / got["send_s"] / limit, 3) if got["send_s"] else None,
        worker_ms_per_row=round(got["send_s"] * concurrency / n * 1000, 2)
        if got["send_s"]
        else None,
        load=[before, load()],
        cpu_probe_s=speed,
    )
    return got


def bench_floor(mapping: Any, n: int, concurrency: int, serve: Any) -> dict[str, Any]:
    """The same bodies, rendered beforehand, posted by bare httpx threads: no journal, no
    rendering, no bookkeeping. What the HTTP stack and the server on this machine allow."""
    from importer.plan import prepare

    step = mapping.steps[0]
    bodies = [
        o.body.encode("utf-8")
        for o in prepare(mapping).result.outcomes[step.name].values()
        if o.status == "planned"
    ]
    before, speed = load(), cpu_probe()
    with serve(LATENCY_MS) as server:
        start = time.perf_counter()
        created = flex.post_all(server.base_url, server.token, step.connector, bodies, concurrency)
        wall = time.perf_counter() - start
    limit = concurrency / (LATENCY_MS / 1000)
    return {
        "concurrency": concurrency,
        "rows": len(bodies),
        "created": created,
        "wall_s": round(wall, 3),
        "rows_per_s": round(len(bodies) / wall, 1),
        "ratio": round(len(bodies) / wall / limit, 3),
        "worker_ms_per_row": round(wall * concurrency / len(bodies) * 1000, 2),
        "load": [before, load()],
        "cpu_probe_s": speed,
    }


# --- 2. Chains --------------------------------------------------------------------------------


def bench_chains(size: dict[str, Any], folder: Path) -> dict[str, Any]:
    n, concurrency, depth = size["chain_customers"], 8, 3
    source = data.write_csv(folder / "chains.csv", data.rows(n, seed=2))
    mapping = load_mapping("chain", source)
    requests = n * depth
    limit_s = max(requests * LATENCY_MS / 1000 / concurrency, depth * LATENCY_MS / 1000)
    say(
        f"chains: {n} customers x {depth} dependent requests at concurrency {concurrency} "
        f"(limit {limit_s:.1f} s)"
    )

    def measure(serve: Any) -> dict[str, Any]:
        before, speed = load(), cpu_probe()
        with serve(LATENCY_MS) as server:
            got = _public(import_run(mapping, server, concurrency, _fresh_journal(folder, "ch"), n))
        got.update(
            concurrency=concurrency,
            depth=depth,
            requests=requests,
            latency_ms=LATENCY_MS,
            limit_s=round(limit_s, 3),
            customers_per_s=round(n / got["wall_s"], 1),
            ratio=round(limit_s / got["wall_s"], 3),
            send_ratio=round(limit_s / got["send_s"], 3) if got["send_s"] else None,
            load=[before, load()],
            cpu_probe_s=speed,
        )
        return got

    out = _best_of(size["best_of"], lambda: measure(in_process_sandbox))
    say("chains, calibration: the same, sandbox in its own process")
    out["own_process"] = measure(sandbox_process)
    say("chains, calibration: the same against an ideal target")
    out["ideal_target"] = measure(ideal_target)
    return out


def cpu_probe() -> float:
    """CPU seconds of a fixed loop: how fast this machine is right now (shared machines vary
    by tens of percent from minute to minute)."""
    start = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i
    return round(time.process_time() - start, 3)


# --- 3. Dry run at scale ----------------------------------------------------------------------


def child(kind: str, path: Path, mapping_name: str) -> dict[str, Any]:
    """Run in a fresh subprocess: one measured step; prints JSON."""
    import gc

    import pandas as pd

    def peak_mb() -> float:
        """The peak resident memory of this process (VmHWM). Not ru_maxrss: on Linux a
        child's ru_maxrss starts from its parent's memory when it was forked."""
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except (OSError, ValueError, IndexError):
            pass
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    # Everything imported before the clock starts, in every kind of child alike: the times
    # are of reading and checking, not of importing modules.
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401

    from importer.plan import prepare
    from importer.readers import read_table
    from importer.report import write_workbook

    out: dict[str, Any] = {}
    if kind == "dryrun":
        mapping = load_mapping(mapping_name, path)
    gc.collect()
    out["baseline_mb"] = peak_mb()  # interpreter and imports
    start, cpu = time.perf_counter(), time.process_time()
    if kind == "bare_csv":
        frame = pd.read_csv(path, sep=";", dtype=str)
        out["rows"] = len(frame)
    elif kind == "bare_xlsx":
        frame = pd.read_excel(path, engine="calamine", dtype=str)
        out["rows"] = len(frame)
    elif kind == "openpyxl_xlsx":
        frame = pd.read_excel(path, engine="openpyxl", dtype=str)
        out["rows"] = len(frame)
    elif kind == "read":
        table = read_table(path, decimal=",")
        out["rows"] = len(table.frame)
    elif kind == "dryrun":
        plan = prepare(mapping)
        out["rows"] = sum(len(o) for o in plan.result.outcomes.values())
        out["statuses"] = dict(plan.result.row_statuses())
    else:
        raise SystemExit(f"unknown child {kind}")
    out["wall_s"] = round(time.perf_counter() - start, 3)
    out["cpu_s"] = round(time.process_time() - cpu, 3)
    out["peak_mb"] = peak_mb()
    if kind == "dryrun" and os.environ.get("BENCH_WORKBOOK"):
        start, cpu = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            write_workbook(plan.result, Path(tmp) / "dry-run.xlsx")
        out["workbook"] = {
            "wall_s": round(time.perf_counter() - start, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "peak_mb": peak_mb(),
        }
    return out


def run_child(kind: str, path: Path, mapping: str = "customers", **env: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path)]
    command += ["--mapping", mapping]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **env}, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_dryrun(size: dict[str, Any], folder: Path, *, workbook: bool) -> dict[str, Any]:
    n = size["dry_rows"]
    say(f"dry run: generating {n:,} rows (CSV and xlsx)")
    rows = data.rows(n, seed=3, invalid_every=size["dry_invalid_every"])
    csv_path = data.write_csv(folder / "dry.csv", rows)
    xlsx_path = data.write_xlsx(folder / "dry.xlsx", rows)
    del rows
    env = {"BENCH_WORKBOOK": "1"} if workbook else {}
    reps = size["repeats"]
    out: dict[str, Any] = {
        "rows": n,
        "columns": len(data.HEADERS),
        "times": f"CPU seconds of a fresh subprocess; reads: the best of {reps}",
    }
    for label, path, bare_kind in (("csv", csv_path, "bare_csv"), ("xlsx", xlsx_path, "bare_xlsx")):
        before, speed = load(), cpu_probe()
        say(f"dry run: {label} ({path.stat().st_size / 1e6:.1f} MB): bare read and importer read")
        bare, read, slow = [], [], []
        for _ in range(reps):  # interleaved, so that a slower minute hits all alike
            bare.append(run_child(bare_kind, path))
            read.append(run_child("read", path))
            if label == "xlsx" and len(slow) < max(1, reps - 1):
                say("dry run: xlsx read by openpyxl (slow)")
                slow.append(run_child("openpyxl_xlsx", path))
        best = min(bare, key=lambda r: r["cpu_s"])
        best_read = min(read, key=lambda r: r["cpu_s"])
        say(f"dry run: {label} through read, validate, render and contract check")
        dry = run_child("dryrun", path, **env)
        entry: dict[str, Any] = {
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "bare_read": best,
            "importer_read": best_read,
            "read_ratio_to_bare_read": round(best_read["cpu_s"] / best["cpu_s"], 2),
            "dry_run": dry,
            "rows_per_s": round(n / dry["cpu_s"]),
            "ratio_to_bare_read": round(dry["cpu_s"] / best["cpu_s"], 2),
            "peak_mb": dry["peak_mb"],
            "load": [before, load()],
            "cpu_probe_s": speed,
        }
        if slow:
            best_slow = min(slow, key=lambda r: r["cpu_s"])
            entry["openpyxl_read"] = best_slow
            entry["read_speedup_vs_openpyxl"] = round(best_slow["cpu_s"] / best_read["cpu_s"], 2)
        out[label] = entry
    return out


# --- 4. Resume --------------------------------------------------------------------------------


def bench_resume(size: dict[str, Any], folder: Path) -> dict[str, Any]:
    from importer.report import write_workbook

    n, concurrency = size["resume_rows"], 8
    source = data.write_csv(folder / "resume.csv", data.rows(n, seed=4))
    mapping = load_mapping("customers", source)
    journal = _fresh_journal(folder, "resume")
    before, speed = load(), cpu_probe()
    with in_process_sandbox(LATENCY_MS) as server:
        say(f"resume: first run of {n:,} rows at concurrency {concurrency}")
        first = import_run(mapping, server, concurrency, journal, n)
        say("resume: the same command again")
        again = import_run(mapping, server, concurrency, journal, n)
    start = time.perf_counter()
    write_workbook(again["_result"], folder / "resume-result.xlsx")
    workbook_s = time.perf_counter() - start
    first, again = _public(first), _public(again)
    return {
        "rows": n,
        "concurrency": concurrency,
        "latency_ms": LATENCY_MS,
        "first": first,
        "rerun": again,
        "rerun_write_requests": again["write_requests"],
        "rerun_ratio": round(again["wall_s"] / first["wall_s"], 4),
        "workbook_s": round(workbook_s, 3),
        "load": [before, load()],
        "cpu_probe_s": speed,
    }


# --- 5. Naive baseline ------------------------------------------------------------------------


def naive_loop(path: Path, base_url: str, token: str) -> tuple[int, int]:
    """What users write by hand today: read the CSV, build each body, post it, next row."""
    import base64
    import csv

    import httpx

    xml = f"<token><version>1</version><data>{token}</data></token>"
    headers = {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}
    created = sent = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            date = dt.datetime.strptime(row["KvK-datum"], "%d-%m-%Y").date().isoformat()
            amount = float(row["Kredietlimiet"].replace(".", "").replace(",", "."))
            body = {
                "KnSalesRelationOrg": {
                    "Element": {
                        "@DbId": row["Klantnummer"],
                        "Fields": {"VaId": row["BTW-nummer"], "CuId": "EUR", "InPv": "E",
                                   "Krli": amount},
                        "Objects": [{"KnOrganisation": {"Element": {
                            "Fields": {"PadAdr": True, "AutoNum": True, "MatchOga": "6",
                                       "Nm": row["Naam"], "CcNr": row["KvK-nummer"],
                                       "CcDa": date, "EmAd": row["E-mail"]},
                            "Objects": [
                                {"KnBasicAddressAdr": {"Element": {"Fields": {
                                    "CoId": "NL", "PbAd": False, "Ad": row["Straat"],
                                    "HmNr": row["Huisnummer"],
                                    "ZpCd": row["Postcode"].replace(" ", ""),
                                    "Rs": row["Plaats"], "ResZip": False}}}},
                                {"KnBankAccount": {"Element": {"Fields": {
                                    "CoId": "NL", "Iban": row["IBAN"].replace(" ", ""),
                                    "IbCk": True}}}},
                            ]}}}],
                    }
                }
            }  # fmt: skip
            reply = httpx.post(
                f"{base_url}/connectors/KnSalesRelationOrg", json=body, headers=headers, timeout=60
            )
            sent += 1
            created += reply.status_code == 201
    return sent, created


def bench_naive(size: dict[str, Any], folder: Path) -> dict[str, Any]:
    n = size["naive_rows"]
    # the first rows of the throughput benchmark's 2,000 (all of them: --naive-rows 2000)
    rows = data.rows(size["throughput_rows"], seed=1)[:n]
    source = data.write_csv(folder / "naive.csv", rows)
    say(f"naive: {n} rows posted one by one by a hand-written loop")
    before, speed = load(), cpu_probe()
    with sandbox(LATENCY_MS) as box:
        start = time.perf_counter()
        sent, created = naive_loop(source, box.base_url, box.token)
        wall = time.perf_counter() - start
    limit = 1 / (LATENCY_MS / 1000)
    return {
        "rows": n,
        "sent": sent,
        "created": created,
        "wall_s": round(wall, 3),
        "rows_per_s": round(n / wall, 1),
        "ratio_to_limit_c1": round(n / wall / limit, 3),
        "load": [before, load()],
        "cpu_probe_s": speed,
    }


# --- 6. Memory of the user's path -------------------------------------------------------------


def bench_memory(rows: int, folder: Path) -> dict[str, Any]:
    """``importer run`` and ``importer run --dry-run`` of ``rows`` customers (bench/memory.py):
    the importer process's peak memory and CPU per request, sandbox in its own process."""
    out: dict[str, Any] = {"rows": rows}
    for kind in ("run", "dryrun"):
        say(f"memory: importer {kind} of {rows:,} customers (sandbox in its own process)")
        out[kind] = memory.measure(rows, kind=kind, folder=folder)
    return out


# --- Targets and the table --------------------------------------------------------------------


def _of(run: dict[str, Any]) -> str:
    """ " (best of 3: 0.85, 0.87, 0.86)" for a figure measured more than once."""
    ratios = run.get("ratios_of_runs") or []
    if len(ratios) < 2:
        return ""
    return f" (best of {len(ratios)}: {', '.join(f'{r:.3f}' for r in ratios)})"


def _adder(rows: list[dict[str, Any]]) -> Callable[[str, str, Any, str, bool | None], None]:
    """A function adding a figure (benchmark, what, value, target, met) to ``rows``."""

    def add(bench: str, what: str, value: Any, target: str, met: bool | None) -> None:
        rows.append({"benchmark": bench, "figure": what, "value": value, "target": target,
                     "met": met})  # fmt: skip

    return add


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    add = _adder(rows)

    tp = results.get("throughput")
    if tp:
        for r in tp["runs"]:
            c = r["concurrency"]
            add(
                "throughput",
                f"concurrency {c}: rows/s (limit {r['limit_rows_per_s']:g}), ratio{_of(r)}",
                f"{r['rows_per_s']} rows/s, {r['ratio']:.3f} (send phase {r['send_ratio']:.3f})",
                ">= 0.90" if c == 8 else "-",
                r["ratio"] >= 0.90 if c == 8 else None,
            )
        for key, what in (
            ("own_process", "calibration: the importer, sandbox in its own process"),
            ("floor", "calibration: bare httpx threads, pre-rendered bodies, sandbox"),
            ("ideal_target", "calibration: the importer against an ideal target (bench/stub.py)"),
            ("ideal_floor", "calibration: bare httpx threads against the ideal target"),
        ):
            r = tp.get(key)
            if not r:
                continue
            send = f" (send phase {r['send_ratio']:.3f})" if r.get("send_ratio") else ""
            add(
                "throughput",
                f"{what}, concurrency {r['concurrency']}",
                f"{r['rows_per_s']} rows/s, {r['ratio']:.3f}{send}",
                "-",
                None,
            )
    ch = results.get("chains")
    if ch:
        add(
            "chains",
            f"{ch['rows']} customers x {ch['depth']} requests, concurrency {ch['concurrency']}: "
            f"ratio to critical path ({ch['limit_s']:g} s){_of(ch)}",
            f"{ch['customers_per_s']} customers/s, {ch['ratio']:.3f} "
            f"(send phase {ch['send_ratio']:.3f})",
            ">= 0.85",
            ch["ratio"] >= 0.85,
        )
        for key, what in (
            ("own_process", "calibration: the same, sandbox in its own process"),
            ("ideal_target", "calibration: the same against an ideal target (bench/stub.py)"),
        ):
            r = ch.get(key)
            if r:
                add("chains", what, f"{r['customers_per_s']} customers/s, {r['ratio']:.3f} "
                    f"(send phase {r['send_ratio']:.3f})", "-", None)  # fmt: skip
    dr = results.get("dryrun")
    if dr:
        for label in ("csv", "xlsx"):
            e = dr[label]
            add(
                "dryrun",
                f"{label} {dr['rows']:,} rows: dry run rows/s, time vs bare read",
                f"{e['rows_per_s']:,} rows/s, {e['dry_run']['cpu_s']:.2f} s = "
                f"{e['ratio_to_bare_read']:.1f} x {e['bare_read']['cpu_s']:.2f} s",
                "<= 3 x" if label == "csv" else "-",
                e["ratio_to_bare_read"] <= 3 if label == "csv" else None,
            )
        x = dr["xlsx"]
        if "read_speedup_vs_openpyxl" in x:
            add(
                "dryrun",
                "xlsx read: importer (calamine) vs openpyxl",
                f"{x['importer_read']['cpu_s']:.2f} s vs {x['openpyxl_read']['cpu_s']:.2f} s = "
                f"{x['read_speedup_vs_openpyxl']:.1f} x faster",
                ">= 5 x",
                x["read_speedup_vs_openpyxl"] >= 5,
            )
        for label in ("csv", "xlsx"):
            add(
                "dryrun",
                f"{label}: peak memory of the dry run (VmHWM)",
                f"{dr[label]['peak_mb']:.0f} MB",
                "<= 500 MB",
                dr[label]["peak_mb"] <= 500,
            )
    rs = results.get("resume")
    if rs:
        add("resume", f"rerun of {rs['rows']:,} rows: write requests", rs["rerun_write_requests"],
            "0", rs["rerun_write_requests"] == 0)  # fmt: skip
        add(
            "resume",
            "rerun time / first run",
            f"{rs['rerun']['wall_s']:.2f} s / {rs['first']['wall_s']:.2f} s = "
            f"{rs['rerun_ratio'] * 100:.1f} %",
            "<= 10 %",
            rs["rerun_ratio"] <= 0.10,
        )
    nv = results.get("naive")
    if nv:
        best = None
        if tp:
            best = max(tp["runs"], key=lambda r: r["concurrency"])
        add(
            "naive",
            f"hand-written loop, {nv['rows']} rows: rows/s"
            + (f"; importer at concurrency {best['concurrency']} is" if best else ""),
            f"{nv['rows_per_s']} rows/s"
            + (f"; {best['rows_per_s'] / nv['rows_per_s']:.1f} x faster" if best else ""),
            "(baseline)",
            None,
        )
    rows.extend(flex_targets(results))
    mem = results.get("memory")
    for kind, what in (("run", "importer run"), ("dryrun", "importer run --dry-run")):
        if mem and kind in mem:
            m = mem[kind]
            per = f", {m['cpu_ms_per_request']:.2f} ms CPU per request" if kind == "run" else ""
            add("memory", f"{what}, {mem['rows']:,} customers: peak memory (VmHWM){per}",
                f"{m['peak_mb']:.0f} MB", "<= 500 MB", m["peak_mb"] <= 500)  # fmt: skip
    return rows


def flex_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of the user's path (bench/flex.py) against issue 18's goals."""
    rows: list[dict[str, Any]] = []
    add = _adder(rows)

    fx = results.get("flex")
    for key, e in (fx or {}).items():
        if not key.endswith("ms"):
            continue
        n, lat, limit = fx["customers"], e["latency_ms"], e["limit_s"]
        per_row, batched, script = e["per_row"], e["batched"], e["script"]
        where = f"{n:,} customers, {lat:g} ms, concurrency {fx['concurrency']}"
        add("flex", f"{where}: lookup requests per customer row",
            f"{per_row['lookup_requests']} / {n} = {per_row['lookups_per_customer']:.3f}",
            "<= 0.02", per_row["lookups_per_customer"] <= 0.02)  # fmt: skip
        add("flex", f"{where}: per row, time / per-row write limit ({limit:g} s)",
            f"{per_row['wall_s']:.1f} s = {per_row['ratio_to_limit']:.3f}", "<= 1.1",
            per_row["ratio_to_limit"] <= 1.1)  # fmt: skip
        add("flex", f"{where}: batch {fx['batch']}, time / per-row write limit",
            f"{batched['wall_s']:.1f} s = {batched['ratio_to_limit']:.3f} "
            f"({batched['write_requests']} writes)", "<= 0.25",
            batched["ratio_to_limit"] <= 0.25)  # fmt: skip
        add("flex", f"{where}: hand-written script (same concurrency), time / limit; "
            "importer per row / script",
            f"{script['wall_s']:.1f} s = {script['ratio_to_limit']:.3f}; "
            f"{e['per_row_vs_script']:.2f} x", "(baseline)", None)  # fmt: skip
        add("flex", f"{where}: importer CPU per request (per row; batched)",
            f"{per_row['cpu_ms_per_request']:.2f} ms; {batched['cpu_ms_per_request']:.2f} ms",
            "-", None)  # fmt: skip
    rf = results.get("refusals")
    for key, e in (rf or {}).items():
        if not key.endswith("ms"):
            continue
        add("refusals", f"{rf['customers']:,} customers, batch {rf['batch']}, 10 % of agreements "
            f"refused, {key}: time / per-row write limit ({e['limit_s']:g} s)",
            f"{e['wall_s']:.1f} s = {e['ratio_to_limit']:.3f} ({e['write_requests']} writes, "
            f"{e['writes_per_record']:.2f} per record)", "<= 0.4",
            e["ratio_to_limit"] <= 0.4)  # fmt: skip
    rr = results.get("rerun")
    if rr:
        add("rerun", f"rerun of {rr['customers']:,} customers (importer run): write requests",
            rr["rerun_write_requests"], "0", rr["rerun_write_requests"] == 0)  # fmt: skip
        add("rerun", "rerun time / first run",
            f"{rr['rerun']['wall_s']:.2f} s / {rr['first']['wall_s']:.2f} s = "
            f"{rr['rerun_ratio'] * 100:.1f} %", "<= 5 %", rr["rerun_ratio"] <= 0.05)  # fmt: skip
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| benchmark | figure | measured | target | met |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: ""}[r["met"]]
        lines.append(f"| {r['benchmark']} | {r['figure']} | {r['value']} | {r['target']} | {met} |")
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a ~30 s smoke run")
    parser.add_argument("--only", action="append", choices=NAMES, help="run only this benchmark")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument(
        "--naive-rows",
        type=int,
        help="rows for the naive loop (default 500 of the 2,000: its rate is constant)",
    )
    parser.add_argument(
        "--workbook",
        action="store_true",
        help="dry run: also time writing the result workbook (slow at 100,000 rows)",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--mapping", default="customers", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.mapping)))
        return 0

    size = dict(QUICK if args.quick else FULL)
    if args.naive_rows:
        size["naive_rows"] = min(args.naive_rows, size["throughput_rows"])
    chosen = args.only or list(NAMES)
    previous: dict[str, Any] = {}
    if args.only and args.out.exists():  # keep the other benchmarks' latest figures
        with contextlib.suppress(ValueError, OSError):
            previous = json.loads(args.out.read_text()).get("benchmarks", {})
    results: dict[str, Any] = dict(previous)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="importer-bench-") as tmp:
        folder = Path(tmp)
        for name in NAMES:
            if name not in chosen:
                continue
            begin = time.perf_counter()
            if name == "throughput":
                got = bench_throughput(size, folder)
            elif name == "chains":
                got = bench_chains(size, folder)
            elif name == "dryrun":
                got = bench_dryrun(size, folder, workbook=args.workbook)
            elif name == "resume":
                got = bench_resume(size, folder)
            elif name == "naive":
                got = bench_naive(size, folder)
            elif name == "flex":
                got = flex.bench_flex(size["flex_customers"], size["flex_latencies"], folder, say)
            elif name == "refusals":
                got = flex.bench_refusals(
                    size["flex_customers"], size["flex_latencies"], folder, say
                )
            elif name == "rerun":
                got = flex.bench_rerun(size["rerun_customers"], LATENCY_MS, folder, say)
            else:
                got = bench_memory(size["memory_rows"], folder)
            got["took_s"] = round(time.perf_counter() - begin, 1)
            got["at"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            got["quick"] = args.quick
            results[name] = got
    figures = targets(results)
    document = {
        "generated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "took_s": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "load_at_end": load(),
        "targets": figures,
        "benchmarks": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    m = document["machine"]
    print(table(figures))
    print(
        f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    )
    print(f"Load average at the end: {document['load_at_end']}; took {document['took_s']} s")
    print(f"Figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
