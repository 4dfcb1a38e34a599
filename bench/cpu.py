#!/usr/bin/env python
"""CPU per request: the ``importer`` command against a bare httpx script, same bodies, same
concurrency, each in a process of its own against ``importer sandbox`` (0 ms latency, in a
process of its own too).

    python bench/cpu.py [--rows 5000] [--concurrency 8] [--repeat 3]

- *importer*: ``importer run`` of ``bench/mappings/customers.yaml`` (one step, one write per
  row) with everything a user gets: a journal file, the audit trail, the progress lines on
  stderr (a pipe: plain lines), the result workbook. Its CPU is the user + system time of the
  process (``getrusage`` of the child); *sending* is that minus the CPU of ``importer run
  --dry-run`` of the same rows (start-up, reading, checking, rendering, a workbook), so what
  sending alone costs.
- *bare httpx*: the bodies ``importer render`` printed, posted by ``--concurrency`` threads
  sharing one ``httpx.Client`` (keep-alive, TCP_NODELAY): the CPU of the posting loop only.

Each figure is the best of ``--repeat`` runs (the others measure the machine's other load);
all are printed. Per request = CPU ÷ write requests the sandbox answered.

``--compare DIR`` runs ``importer run`` of another checkout as well (``git worktree add DIR
COMMIT``, or ``git archive COMMIT | tar -x -C DIR``), taking turns with this one, so that
both meet the same load of a shared machine: a before-and-after in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import data  # noqa: E402  (bench/data.py)
import flex  # noqa: E402  (bench/flex.py: the sandbox in its own process)

MAPPING = BENCH / "mappings" / "customers.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # this clone's code, installed or not


@contextlib.contextmanager
def sandbox() -> Iterator[tuple[str, str]]:
    """A fresh, empty ``importer sandbox`` in its own process: (base URL, token)."""
    with flex.sandbox() as box:
        yield box.base_url, box.token


def child_cpu(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run a command; the CPU seconds (user + system) it used, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.stdout


def importer_run(
    source: Path, folder: Path, concurrency: int, *, dry_run: bool, code: Path = ROOT
) -> float:
    """CPU seconds of one ``importer run`` of the checkout ``code`` (a fresh sandbox, journal
    and workbook)."""
    for old in folder.glob("run.*"):
        old.unlink()
    command = [
        sys.executable, "-m", "importer", "run", str(MAPPING), "--input", f"klanten={source}",
        "--concurrency", str(concurrency), "--journal", str(folder / "run.journal.sqlite"),
        "--audit", str(folder / "run.audit.jsonl"),
        "--out", str(folder / ("run.dry.xlsx" if dry_run else "run.result.xlsx")),
    ]  # fmt: skip
    own = {**ENV, "PYTHONPATH": str(code)}
    if dry_run:
        return child_cpu([*command, "--dry-run"], own)[0]
    with sandbox() as (base_url, token):
        env = {**own, "AFAS_BASE_URL": base_url, "AFAS_TOKEN": token}
        cpu, out = child_cpu(command, env)
    if " 0 failed" not in out:
        raise RuntimeError(f"the import did not go through: {out}")
    return cpu


def bare_run(bodies: Path, concurrency: int) -> tuple[float, int]:
    """CPU seconds of the bare script's posting loop, and the records it created."""
    with sandbox() as (base_url, token):
        command = [sys.executable, __file__, "--bare", str(bodies), base_url, token,
                   str(concurrency)]  # fmt: skip
        out = child_cpu(command, ENV)[1]
    got = json.loads(out)
    return got["cpu_s"], got["created"]


def bare(bodies_path: str, base_url: str, token: str, concurrency: int) -> None:
    """The bare script: post every body with ``concurrency`` threads, print CPU and count."""
    import yaml

    lines = [json.loads(line) for line in Path(bodies_path).read_text().splitlines()]
    bodies = [
        json.dumps(line["body"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        for line in lines
    ]
    connector = yaml.safe_load(MAPPING.read_text())["steps"][0]["connector"]
    start = time.process_time()
    created = flex.post_all(base_url, token, connector, bodies, concurrency)
    print(json.dumps({"cpu_s": time.process_time() - start, "created": created}))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        bare(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout to measure in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="importer-cpu-") as tmp:
        folder = Path(tmp)
        source = data.write_csv(folder / "klanten.csv", data.rows(args.rows))
        rendered = subprocess.run(
            [sys.executable, "-m", "importer", "render", str(MAPPING), "--input",
             f"klanten={source}"],
            env=ENV, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        bodies = folder / "bodies.jsonl"
        bodies.write_text(rendered)
        requests = len(rendered.splitlines())
        runs: dict[str, list[float]] = {"importer": [], "dry run": [], "bare": []}
        if args.compare:
            runs["compared"] = []
        for _ in range(args.repeat):
            if args.compare:
                runs["compared"].append(
                    importer_run(source, folder, args.concurrency, dry_run=False, code=args.compare)
                )
            runs["importer"].append(importer_run(source, folder, args.concurrency, dry_run=False))
            runs["dry run"].append(importer_run(source, folder, args.concurrency, dry_run=True))
            cpu, created = bare_run(bodies, args.concurrency)
            if created != requests:
                raise RuntimeError(f"the bare script created {created} of {requests}")
            runs["bare"].append(cpu)

    def ms(seconds: float) -> str:
        return f"{seconds / requests * 1000:.2f} ms"

    best = {name: min(values) for name, values in runs.items()}
    print(f"{requests} requests, concurrency {args.concurrency}, sandbox at 0 ms latency")
    for name, values in runs.items():
        print(f"  {name:9} CPU per request: " + ", ".join(ms(v) for v in values))
    print(f"importer run: {ms(best['importer'])} CPU per request (whole process, best)")
    print(f"  of which sending: {ms(best['importer'] - best['dry run'])} (minus the dry run)")
    print(f"bare httpx:   {ms(best['bare'])} CPU per request (the posting loop)")
    if args.compare:
        print(f"{args.compare}: importer run {ms(best['compared'])} CPU per request (best)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
