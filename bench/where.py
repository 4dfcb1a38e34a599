#!/usr/bin/env python
"""Where the time goes: the breakdowns behind "what dominated" in bench/README.md.

    python bench/where.py dryrun [--rows 100000] [--xlsx] [--cprofile]
    python bench/where.py send [--rows 2000] [--concurrency 8] [--latency-ms 50]

``dryrun`` runs ``importer.plan.prepare`` over generated data with timers around its phases
(read, validate, render - split into Jinja, ``json.loads`` and pruning -, contract check), the
time spent in Python's cyclic garbage collector (``gc.callbacks``), the peak memory after each
phase (``ru_maxrss``) and the size of one kept body (tracemalloc). ``--cprofile`` prints the
top functions as well.

``send`` runs an import against the in-process sandbox with timers around each part of a
row's way out (journal writes, body and source hashes, the HTTP request) and the CPU of the
sandbox's server thread, per row and request.

Timers are wrapped around module attributes by name; a phase that no longer exists under that
name is simply not shown. CPU seconds (``time.process_time``) unless said otherwise.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import data  # noqa: E402

_LOCK = threading.Lock()


class Timers:
    """Accumulated seconds and calls per label; ``cpu`` for CPU time of the calling thread
    (single-threaded phases), else wall time (threads waiting on I/O)."""

    def __init__(self, cpu: bool):
        self.clock = time.process_time if cpu else time.perf_counter
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self.calls: collections.Counter[str] = collections.Counter()
        self.order: list[str] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        clock, seconds, calls = self.clock, self.seconds, self.calls
        self.order.append(label)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = clock() - start
                with _LOCK:
                    seconds[label] += elapsed
                    calls[label] += 1

        setattr(owner, name, timed)


class GcClock:
    """Wall seconds spent in the cyclic garbage collector, and full (generation 2) runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.full += info.get("generation") == 2


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def profile_dryrun(args: argparse.Namespace) -> None:
    import importer.plan as plan_module
    import importer.render as render_module
    from importer import load_mapping
    from importer.targets.afas.contract import Contract

    folder = Path(tempfile.mkdtemp(prefix=f"importer-profile-{os.getpid()}-"))
    rows = data.rows(args.rows, seed=3, invalid_every=1000)
    path = (data.write_xlsx if args.xlsx else data.write_csv)(
        folder / ("dry.xlsx" if args.xlsx else "dry.csv"), rows
    )
    del rows
    mapping = load_mapping(BENCH / "mappings" / "customers.yaml").with_inputs({"klanten": path})
    timers = Timers(cpu=True)
    peaks: dict[str, float] = {}

    def after(label: str, function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            finally:
                peaks[label] = peak_mb()

        return run

    for name, label in (
        ("read_sources", "read"),
        ("validate_step", "validate"),
        ("_plan_step", "plan rows (render + what else is per row)"),
        ("_check_contract", "contract check (separate pass)"),
    ):
        if hasattr(plan_module, name):
            setattr(plan_module, name, after(label, getattr(plan_module, name)))
            timers.wrap(plan_module, name, label)
    # inside rendering: Jinja, json.loads and pruning
    timers.wrap(render_module, "prune", "  of which pruning blank fields")
    loads = render_module.json.loads

    class _Json:  # json as render.py sees it, with loads timed
        def __getattr__(self, name: str) -> Any:
            return getattr(json, name)

    proxy = _Json()
    proxy.loads = loads  # type: ignore[attr-defined]
    render_module.json = proxy  # type: ignore[assignment]
    timers.wrap(proxy, "loads", "  of which json.loads of the rendered text")
    timers.wrap(render_module, "to_json", "  of which to_json of each {{ value }}")
    timers.wrap(Contract, "violations", "contract.violations (wherever called)")
    clock = GcClock()
    baseline = peak_mb()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start_cpu, start = time.process_time(), time.perf_counter()
    plan = plan_module.prepare(mapping)
    total_cpu, total = time.process_time() - start_cpu, time.perf_counter() - start
    if profiler:
        profiler.disable()
    kind = path.suffix[1:]
    print(f"dry run of {args.rows:,} rows ({kind}): {total_cpu:.2f} s CPU, {total:.2f} s wall")
    print(f"statuses: {dict(plan.result.row_statuses())}")
    print(f"peak memory {peak_mb():.0f} MB (interpreter and imports {baseline:.0f} MB)")
    print(f"cyclic GC: {clock.seconds:.2f} s wall in {clock.full} full collections")
    for label in timers.order:
        if timers.calls[label]:
            seconds = timers.seconds[label]
            per = seconds / timers.calls[label] * 1e6
            peak = f", peak after: {peaks[label]:.0f} MB" if label in peaks else ""
            calls = timers.calls[label]
            print(f"  {label:48s} {seconds:7.2f} s  ({calls:,} calls, {per:,.1f} us each{peak})")
    print("  (timers around small functions cost time themselves: parts add up to more than all)")
    # one kept body, measured
    kept = [o.body for o in next(iter(plan.result.outcomes.values())).values() if o.body]
    if kept:
        import tracemalloc

        sample = [json.loads(b) if isinstance(b, str) else b for b in kept[:2000]]
        text = [json.dumps(b) for b in sample]
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        copies = [json.loads(t) for t in text]
        as_dicts = (tracemalloc.get_traced_memory()[0] - before) / len(copies)
        del copies
        before = tracemalloc.get_traced_memory()[0]
        packed = [json.dumps(b, separators=(",", ":"), ensure_ascii=False) for b in sample]
        as_text = (tracemalloc.get_traced_memory()[0] - before) / len(packed)
        tracemalloc.stop()
        print(
            f"one body kept in the plan: {as_dicts:,.0f} bytes as dicts, {as_text:,.0f} bytes as "
            f"compact JSON text; x {len(kept):,} bodies = {as_dicts * len(kept) / 2**20:,.0f} MB "
            f"vs {as_text * len(kept) / 2**20:,.0f} MB"
        )
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def profile_send(args: argparse.Namespace) -> None:
    import importer.reconcile as reconcile_module
    import importer.runner as runner_module
    from importer import load_mapping
    from importer.journal.store import Journal
    from importer.runner import run
    from importer.sandbox import AfasSandbox, Faults
    from importer.sending import Options
    from importer.targets.afas.client import AfasTarget

    folder = Path(tempfile.mkdtemp(prefix=f"importer-profile-{os.getpid()}-"))
    path = data.write_csv(folder / "send.csv", data.rows(args.rows, seed=1))
    mapping = load_mapping(BENCH / "mappings" / "customers.yaml").with_inputs({"klanten": path})
    timers = Timers(cpu=False)
    with AfasSandbox.start(faults=Faults(latency_ms=args.latency_ms)) as box:
        target = AfasTarget(box.base_url, box.token, concurrency=args.concurrency)
        journal = Journal.open(folder / "send.journal.sqlite", target=target.host, mapping="x")
        timers.wrap(runner_module._Sender, "_task", "row task, all of it (worker thread)")
        timers.wrap(target, "insert", "  HTTP request and reply (target.insert)")
        commits = {"sending": "commits", "log_attempt": "autocommit", "record": "deferred"}
        for name, commit in commits.items():
            timers.wrap(journal, name, f"  journal.{name} ({commit})")
        timers.wrap(reconcile_module, "content_hash", "  content_hash (body, source row)")
        server = getattr(getattr(box, "server", None), "_thread", None)
        clock = time.pthread_getcpuclockid(server.ident) if server else None
        sandbox0 = time.clock_gettime(clock) if clock is not None else 0.0
        cpu0 = time.process_time()
        first: list[float] = []
        last: list[float] = []

        class Observer:
            def step_started(self, step: Any, rows: int) -> None:
                first.append(time.perf_counter())

            def row_done(self, step: Any, outcome: Any) -> None:
                last.append(time.perf_counter())

        start = time.perf_counter()
        result = run(
            mapping,
            target,
            journal=journal,
            options=Options(concurrency=args.concurrency, observer=Observer()),
        )
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        sandbox = (time.clock_gettime(clock) - sandbox0) if clock is not None else 0.0
        requests = len(box.state.requests)
        journal.close()
        target.close()
    send = max(last) - first[0]
    limit = args.concurrency / (args.latency_ms / 1000) if args.latency_ms else None
    print(result.summary_line())
    print(
        f"{args.rows} rows, concurrency {args.concurrency}, latency {args.latency_ms:g} ms: "
        f"{wall:.2f} s in all, prepare {first[0] - start:.2f} s, sending {send:.2f} s = "
        f"{args.rows / send:.1f} rows/s"
        + (f" = {args.rows / send / limit:.3f} of the limit" if limit else "")
    )
    print(
        f"worker time per row {send * args.concurrency / args.rows * 1000:.2f} ms"
        + (f" (latency {args.latency_ms:g} ms)" if args.latency_ms else "")
    )
    print(
        f"CPU: importer {(cpu - sandbox) / args.rows * 1000:.2f} ms per row (prepare included), "
        f"sandbox {sandbox / max(requests, 1) * 1000:.2f} ms per request (its server thread)"
    )
    for label in timers.order:
        if timers.calls[label]:
            each = timers.seconds[label] / timers.calls[label] * 1000
            print(f"  {label:44s} {each:8.3f} ms x {timers.calls[label]:,} (wall)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    dry = sub.add_parser("dryrun")
    dry.add_argument("--rows", type=int, default=100_000)
    dry.add_argument("--xlsx", action="store_true")
    dry.add_argument("--cprofile", action="store_true")
    send = sub.add_parser("send")
    send.add_argument("--rows", type=int, default=2000)
    send.add_argument("--concurrency", type=int, default=8)
    send.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    try:
        if args.what == "dryrun":
            profile_dryrun(args)
        else:
            profile_send(args)
    finally:  # the generated data
        for folder in Path(tempfile.gettempdir()).glob(f"importer-profile-{os.getpid()}-*"):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
