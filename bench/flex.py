#!/usr/bin/env python
"""The user's path, measured: the ``importer`` command on the shipped Flex mapping.

Every figure here runs ``importer run`` (start-up, reading, validation, rendering, contract
check, lookups, audit trail, progress display, journal and workbook included) on a copy of
``mappings/flex.yaml`` (customers → sales relations, each with a customer agreement as its
child, with the mapping's lookups) against ``importer sandbox`` in its own process, as a real
target runs on its own machine, with latency. The baseline is a hand-written script with the
same concurrency: threads that post each customer's sales relation and then its agreement
with httpx, no lookups, no journal (what consultants write today).

- ``flex``: a Flex import at 50 and 300 ms latency: per row, with ``batch: 25``, and the
  hand-written script. The per-row write limit is ``writes × latency / concurrency`` with
  ``writes`` the number of records (two per customer): what one record per request allows at
  best. Lookup requests per customer row are counted from the audit trail.
- ``refusals``: the same batched import with 10 % of the agreements refused by the target
  (a project group the environment does not have).
- ``rerun``: a finished 10,000-customer import run again: write requests and time.

Figures are printed by ``python bench/run.py`` (``--only flex`` etc.) and kept in
bench/README.md; this module holds the measurements.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import data  # noqa: E402  (bench/data.py)

CONCURRENCY = 8
T = TypeVar("T")
BATCH = 25
FLEX_HEADERS = [
    "Klantnummer", "Naam", "Statutaire naam", "Zoeknaam", "KvK-nummer", "KvK-datum",
    "BTW-nummer", "Website", "Straat", "Huisnummer", "Postcode", "Plaats", "Land",
    "Projectgroep", "Omschrijving", "Uren per week",
]  # fmt: skip


# --- Data and mappings --------------------------------------------------------------------------


def flex_rows(n: int, *, seed: int, refused_every: int = 0) -> list[list[str]]:
    """``n`` Flex customers from the bench's synthetic Dutch customers; every
    ``refused_every``-th agreement names a project group the environment does not have (the
    target refuses it; the importer cannot know)."""
    out = []
    for i, row in enumerate(data.rows(n, seed=seed)):
        number, name, kvk, kvk_date, vat, _iban, email, street, house, postcode, city = row[:11]
        search = "".join(c for c in name.upper() if c.isalnum())[:10]
        group = "ALG"
        if refused_every and i % refused_every == refused_every - 1:
            group = f"VERVALLEN{i % 7}"  # old project groups, gone from the environment
        out.append(
            [
                number, name, f"{name} B.V." if "B.V." not in name else name, search, kvk,
                kvk_date, vat, f"www.{email.split('@', 1)[1]}", street, house, postcode, city,
                "NL", group, f"Klantovereenkomst {name}", str(16 + i % 25),
            ]
        )  # fmt: skip
    return out


def write_flex_csv(path: Path, rows: list[list[str]]) -> Path:
    return data.write_csv(path, rows, FLEX_HEADERS)


def flex_mapping(folder: Path, source: Path, *, batch: int | None = None) -> Path:
    """A copy of the shipped ``mappings/flex.yaml`` reading ``source``, with ``batch: N`` on
    its steps when given (nothing else changed)."""
    shipped = ROOT / "mappings" / "flex.yaml"
    mapping = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    mapping["templates"] = str((shipped.parent / mapping["templates"]).resolve())
    mapping["sources"]["klanten"]["file"] = str(source.resolve())
    if batch:
        for step in mapping["steps"]:
            step["batch"] = batch
    path = folder / f"flex-{source.stem}{f'-batch{batch}' if batch else ''}.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --- The sandbox in its own process -------------------------------------------------------------


class Sandbox:
    """``importer sandbox`` in its own process: where it listens and how much CPU it used."""

    def __init__(self, base_url: str, token: str, process: subprocess.Popen[str]):
        self.base_url, self.token, self.process = base_url, token, process

    def cpu(self) -> float | None:
        return process_cpu(self.process.pid)

    def records(self) -> dict[str, Any]:
        import httpx

        from importer.targets.afas.client import token_header

        reply = httpx.get(
            f"{self.base_url}/sandbox/records",
            headers={"Authorization": token_header(self.token)},
            timeout=60,
        )
        reply.raise_for_status()
        return reply.json()


@contextlib.contextmanager
def sandbox(latency_ms: float = 0) -> Iterator[Sandbox]:
    """A fresh, empty ``importer sandbox`` in its own process, with ``latency_ms``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", "--empty", "--token",
         "bench", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = next(
            line.split("=", 1)[1].strip()
            for line in process.stdout
            if line.startswith("export AFAS_BASE_URL=")
        )
        # what it prints later is read too, so that a full pipe never blocks it
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield Sandbox(base_url, "bench", process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # stopping a sandbox of 100,000 records is slow
            process.kill()
            process.wait()


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a running process has used, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# --- The importer command -----------------------------------------------------------------------


def importer_run(
    mapping: Path, server: Sandbox, out: Path, *, journal: Path, concurrency: int = CONCURRENCY
) -> dict[str, Any]:
    """``importer run MAPPING`` in a subprocess: wall time, CPU, peak memory, requests by kind
    (from its audit trail) and the summary line it printed."""
    audit = out.with_suffix(".audit.jsonl")
    stats = out.with_suffix(".stats.json")
    command = [
        sys.executable, str(Path(__file__).resolve()), "--cli", str(stats), "run", str(mapping),
        "--out", str(out), "--journal", str(journal), "--audit", str(audit),
        "--concurrency", str(concurrency), "--yes", "--lang", "en",
    ]  # fmt: skip
    env = {**os.environ, "AFAS_BASE_URL": server.base_url, "AFAS_TOKEN": server.token}
    lines_before = _lines(audit)
    server0 = server.cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    server1 = server.cpu()
    if done.returncode not in (0, 1):
        raise RuntimeError(f"importer run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    measured = json.loads(stats.read_text())
    requests = requests_of(audit, skip=lines_before)
    writes = sum(n for (method, _), n in requests.items() if method != "GET")
    reads = sum(n for (method, kind), n in requests.items() if method == "GET" and kind == "read")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": measured["cpu_s"],
        "peak_mb": measured["peak_mb"],
        "exit": done.returncode,
        "write_requests": writes,
        "lookup_requests": reads,
        "requests": {f"{m} {k}": n for (m, k), n in sorted(requests.items())},
        "cpu_ms_per_request": round(measured["cpu_s"] / max(1, writes + reads) * 1000, 3),
        "sandbox_cpu_s": round(server1 - server0, 3) if server0 and server1 else None,
        "summary": _summary(done.stdout + done.stderr),
    }


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def requests_of(audit: Path, *, skip: int = 0) -> Counter[tuple[str, str]]:
    """Requests of a run by (method, kind): kind ``read`` (GetConnector), ``write``, ``meta``."""
    counts: Counter[tuple[str, str]] = Counter()
    if not audit.exists():
        return counts
    with open(audit, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            entry = json.loads(line)
            if entry.get("event") != "exchange":
                continue
            method, url = entry["method"], entry["url"]
            kind = "meta" if "/metainfo" in url or "/oauth/" in url else "write"
            if method == "GET" and kind == "write":
                kind = "read"
            counts[(method, kind)] += 1
    return counts


_COUNT = re.compile(r"(\d[\d,]*) (created|updated|unchanged|existing|changed|deleted|failed|"
                    r"invalid|skipped|unknown)")  # fmt: skip


def _summary(output: str) -> dict[str, int]:
    """The counts of the run's summary line ("3,998 created, 2 failed ...")."""
    for line in reversed(output.splitlines()):
        found = _COUNT.findall(line)
        if found:
            return {status: int(count.replace(",", "")) for count, status in found}
    return {}


def cli_child(stats: Path, argv: list[str]) -> int:
    """Run ``importer ARGV`` in this process (exactly what the command does) and write its CPU
    seconds and peak memory (VmHWM) to ``stats``."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))  # this clone's code, installed or not
    from importer.cli import main

    try:
        code = main(argv)
    finally:
        cpu = time.process_time()
        wall = time.perf_counter() - started
        figures = {"cpu_s": round(cpu, 3), "peak_mb": peak_mb(), "wall_s": round(wall, 3)}
        stats.write_text(json.dumps(figures))
    return code


def peak_mb() -> float | None:
    """This process's peak resident memory (VmHWM), MB."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


# --- The hand-written script --------------------------------------------------------------------


def handwritten(path: Path, server: Sandbox, concurrency: int = CONCURRENCY) -> dict[str, Any]:
    """What a consultant writes today, with the same concurrency: threads that read the CSV,
    build each customer's sales relation, post it, then post its agreement with the DbId the
    reply gave. No lookups, no journal, no retries."""
    import csv
    import datetime as dt

    import httpx

    from importer.targets.afas.client import token_header

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    client = httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": token_header(server.token)},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        timeout=120,
    )
    lock = threading.Lock()
    counts: Counter[str] = Counter()

    def customer(row: dict[str, str]) -> None:
        date = dt.datetime.strptime(row["KvK-datum"], "%d-%m-%Y").date().isoformat()
        relation = {"KnSalesRelationOrg": {"Element": {
            "@DbId": row["Klantnummer"],
            "Fields": {"VaId": row["BTW-nummer"], "CuId": "EUR", "InPv": "E"},
            "Objects": [{"KnOrganisation": {"Element": {
                "Fields": {"PadAdr": True, "AutoNum": True, "MatchOga": "6",
                           "SeNm": row["Zoeknaam"], "Nm": row["Naam"],
                           "CcNr": row["KvK-nummer"], "CcDa": date,
                           "NmRg": row["Statutaire naam"], "HoPa": row["Website"]},
                "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": {
                    "CoId": row["Land"], "PbAd": False, "Ad": row["Straat"],
                    "HmNr": row["Huisnummer"], "ZpCd": row["Postcode"].replace(" ", ""),
                    "Rs": row["Plaats"], "ResZip": False}}}}],
            }}}],
        }}}  # fmt: skip
        reply = client.post("/connectors/KnSalesRelationOrg", json=relation)
        with lock:
            counts["writes"] += 1
        if reply.status_code != 201:
            return
        db_id = reply.json()["results"]["KnSalesRelationOrg"]["DbId"]
        project = {"PtProject": {"Element": {"Fields": {
            "PrGp": row["Projectgroep"], "Prof": -147, "Ds": row["Omschrijving"], "DbId": db_id,
            "VbCo": "ALG", "PrTy": "1", "CmId": "01", "VaCc": "0",
            "RpDe": "CB285CD24020D26A3077FBAC1A0F86B2", "PsId": 2,
            "HrWe": int(row["Uren per week"]), "ViTo": "1M", "ToTe": 1, "ToTp": "W", "ExTe": 1,
            "ExTp": "W", "ClId": "Basis", "NPDe": "0", "CrMe": "2", "IsId": 2, "MeOw": "0",
        }}}}  # fmt: skip
        reply = client.post("/connectors/PtProject", json=project)
        with lock:
            counts["writes"] += 1
            counts["created"] += reply.status_code == 201

    start = time.perf_counter()
    in_threads(rows, customer, concurrency)
    wall = time.perf_counter() - start
    client.close()
    return {"wall_s": round(wall, 3), "write_requests": counts["writes"], "rows": len(rows)}


def post_all(
    base_url: str, token: str, connector: str, bodies: list[bytes], concurrency: int
) -> int:
    """Post pre-rendered bodies with ``concurrency`` bare httpx threads on one client, no
    journal, no bookkeeping (the floor of what the HTTP stack and the server allow): the
    records created."""
    import httpx

    from importer.targets.afas.client import NODELAY, token_header

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.Client(
        base_url=base_url,
        headers={"Authorization": token_header(token), "Content-Type": "application/json"},
        transport=httpx.HTTPTransport(socket_options=NODELAY, limits=limits),
    )
    lock = threading.Lock()
    created = [0]

    def post(body: bytes) -> None:
        if client.post(f"/connectors/{connector}", content=body).status_code == 201:
            with lock:
                created[0] += 1

    in_threads(bodies, post, concurrency)
    client.close()
    return created[0]


def in_threads(items: Iterable[T], work: Callable[[T], None], concurrency: int) -> None:
    """``work(item)`` for every item, by ``concurrency`` threads taking the next one in turn."""
    queue = iter(items)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                try:
                    item = next(queue)
                except StopIteration:
                    return
            work(item)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- The benchmarks ------------------------------------------------------------------------------


def per_row_limit(customers: int, latency_ms: float) -> float:
    """Seconds one record per request needs at best: two records a customer, ``CONCURRENCY``
    requests in flight, each taking the latency."""
    return 2 * customers * latency_ms / 1000 / CONCURRENCY


def fresh_import(
    mapping: Path, customers: int, latency_ms: float, folder: Path, name: str
) -> dict[str, Any]:
    """``importer run`` of ``mapping`` into a new sandbox with a new journal: its figures,
    the records the sandbox holds afterwards and its time against the per-row limit."""
    with sandbox(latency_ms) as server:
        got = importer_run(
            mapping,
            server,
            folder / f"{name}.xlsx",
            journal=_fresh(folder / f"{name}.journal.sqlite"),
        )
        got["records"] = _count_records(server)
    got["ratio_to_limit"] = round(got["wall_s"] / per_row_limit(customers, latency_ms), 3)
    return got


def bench_flex(customers: int, latencies: list[float], folder: Path, say: Any) -> dict[str, Any]:
    """Per row, batched and by hand, at each latency; lookups per customer row."""
    source = write_flex_csv(folder / "flex.csv", flex_rows(customers, seed=11))
    per_row = flex_mapping(folder, source)
    batched = flex_mapping(folder, source, batch=BATCH)
    out: dict[str, Any] = {"customers": customers, "concurrency": CONCURRENCY, "batch": BATCH}
    for latency in latencies:
        limit = per_row_limit(customers, latency)
        entry: dict[str, Any] = {"latency_ms": latency, "limit_s": round(limit, 3)}
        for label, mapping in (("per_row", per_row), ("batched", batched)):
            say(f"flex: {customers:,} customers {label.replace('_', ' ')} at {latency:g} ms "
                f"(per-row limit {limit:.1f} s)")  # fmt: skip
            got = fresh_import(mapping, customers, latency, folder, f"flex-{label}-{latency:g}")
            got["lookups_per_customer"] = round(got["lookup_requests"] / customers, 4)
            entry[label] = got
        say(f"flex: {customers:,} customers by the hand-written script at {latency:g} ms")
        with sandbox(latency) as server:
            script = handwritten(source, server)
        script["ratio_to_limit"] = round(script["wall_s"] / limit, 3)
        entry["script"] = script
        entry["per_row_vs_script"] = round(entry["per_row"]["wall_s"] / script["wall_s"], 3)
        out[f"{latency:g}ms"] = entry
    return out


def bench_refusals(
    customers: int, latencies: list[float], folder: Path, say: Any
) -> dict[str, Any]:
    """The batched Flex import with every tenth agreement refused by the target."""
    source = write_flex_csv(
        folder / "flex-refused.csv", flex_rows(customers, seed=12, refused_every=10)
    )
    batched = flex_mapping(folder, source, batch=BATCH)
    out: dict[str, Any] = {"customers": customers, "refused_share": 0.1, "batch": BATCH}
    for latency in latencies:
        say(f"refusals: {customers:,} customers batched, 10 % refused, at {latency:g} ms")
        got = fresh_import(batched, customers, latency, folder, f"refused-{latency:g}")
        got["limit_s"] = round(per_row_limit(customers, latency), 3)
        got["writes_per_record"] = round(got["write_requests"] / (2 * customers), 3)
        out[f"{latency:g}ms"] = got
    return out


def bench_rerun(customers: int, latency: float, folder: Path, say: Any) -> dict[str, Any]:
    """A finished import run again with the same command: nothing sent, little time."""
    source = write_flex_csv(folder / "flex-rerun.csv", flex_rows(customers, seed=13))
    mapping = flex_mapping(folder, source)
    journal = _fresh(folder / "rerun.journal.sqlite")
    with sandbox(latency) as server:
        say(f"rerun: first run of {customers:,} customers at {latency:g} ms")
        first = importer_run(mapping, server, folder / "rerun.xlsx", journal=journal)
        say("rerun: the same command again")
        again = importer_run(mapping, server, folder / "rerun.xlsx", journal=journal)
        records = _count_records(server)
    return {
        "customers": customers,
        "latency_ms": latency,
        "first": first,
        "rerun": again,
        "records": records,
        "rerun_write_requests": again["write_requests"],
        "rerun_ratio": round(again["wall_s"] / first["wall_s"], 4),
    }


def _count_records(server: Sandbox) -> dict[str, int]:
    """How many records of each kind the sandbox holds (to see nothing was made twice)."""
    return {kind: len(items) for kind, items in server.records().items() if isinstance(items, list)}


def _fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--cli":
        sys.exit(cli_child(Path(sys.argv[2]), sys.argv[3:]))
    sys.exit("usage: python bench/run.py --only flex (this module holds the measurements)")
