"""Requests in parallel adapt to the target: a run against a sandbox that answers 503 for a
while sends fewer requests at once, then climbs back to ``--concurrency`` when it recovers."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, variant

from importer.sandbox import AfasSandbox, Faults

ROWS = 200
BUSY = range(41, 49)  # writes answered 503 (maintenance): a round of 8 in flight


@pytest.fixture
def slow_box(monkeypatch):
    """A sandbox slow enough (20 ms a request) for 8 requests to overlap."""
    box = AfasSandbox.start(
        faults=Faults(latency_ms=20, retry_after=0, script=dict.fromkeys(BUSY, "unavailable"))
    )
    monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
    monkeypatch.setenv("AFAS_TOKEN", box.token)
    yield box
    box.stop()


def customers(tmp_path):
    """ROWS copies of the Flex sample's first customer, each with a number of its own."""
    lines = (ROOT / "samples/flex/klanten.csv").read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(";")
    rows = [";".join([str(50000 + i), *first[1:]]) for i in range(ROWS)]
    path = tmp_path / "klanten.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return path


def one_step(tmp_path):
    """The Flex mapping's sales relations alone, without lookups: one write per row."""
    source = customers(tmp_path)

    def change(data):
        data["sources"]["klanten"]["file"] = str(source)
        step = data["steps"][0]
        del step["match"], step["find"]
        step["columns"]["kvk"].pop("unique")
        data["steps"] = [step]

    return variant(tmp_path, change)


def test_503s_halve_the_requests_in_parallel_and_healthy_replies_bring_them_back(
    cli, slow_box, tmp_path
):
    ran = cli("run", one_step(tmp_path), "--concurrency", "8", "--audit", tmp_path / "a.jsonl")

    assert ran.code == 0, ran.err
    assert len(slow_box.state.debtors) == ROWS  # each once: the 503s were tried again
    assert slow_box.faults.applied == {"unavailable": len(BUSY)}
    lines = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    changes = [(line["limit"], line["why"]) for line in lines if line["event"] == "pace"]
    # The burst of 503s to the requests in flight halves the limit once (the retries, sent at
    # 4, may halve it again); each halving or step up is one of AIMD, and it gets back to 8.
    assert changes[0] == (4, "busy"), changes
    before = 8
    for limit, why in changes:
        assert limit == (before + 1 if why == "recovered" else max(1, before // 2)), changes
        before = limit
    low = min(limit for limit, _ in changes)
    assert (8, "recovered") in changes[[c[0] for c in changes].index(low) :], changes
    # What the sandbox saw: 8 writes at once before the 503s; the first 503 answered halves
    # the limit, so the 4 writes after the burst (writes 49-52: none can have left before
    # it) had at most 4 in the server, older ones included; 8 at once again later.
    parallel = slow_box.faults.parallel
    assert max(parallel[: BUSY[0] - 1]) == 8, parallel[: BUSY[0]]
    assert max(parallel[BUSY[-1] : BUSY[-1] + 4]) <= 4, parallel
    assert max(parallel[BUSY[-1] + 4 :]) == 8, parallel
