"""The AFAS sandbox and requests of several records (an Element list), as AFAS documents them:
one transaction, so a fault is about the whole request (the sandbox over HTTP on loopback)."""

from __future__ import annotations

import copy
import json

import httpx
import pytest
from conftest import FIXTURES

from importer.sandbox import Faults
from importer.sandbox import afas as afas_app
from importer.targets.afas.client import token_header

SEED = json.loads((FIXTURES / "seed" / "PtProject.json").read_text())["PtProject"]["Element"]


def projects(*groups: str) -> dict:
    elements = []
    for i, group in enumerate(groups):
        element = copy.deepcopy(SEED)
        element["Fields"].update(PrGp=group, Ds=f"Overeenkomst {i}")
        elements.append(element)
    return {"PtProject": {"Element": elements}}


@pytest.fixture
def client(sandbox):
    sandbox.state.debtors["80418"] = {"DbId": "80418", "BcCo": "1", "fields": {}}
    headers = {"Authorization": token_header(sandbox.token)}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        yield http


def test_a_list_is_created_whole_and_answered_in_order(client, sandbox):
    reply = client.post("/connectors/PtProject", json=projects("ALG", "FLEX", "CON"))

    assert reply.status_code == 201
    ids = [r["PrId"] for r in reply.json()["results"]["PtProject"]]
    assert [sandbox.state.projects[i]["fields"]["PrGp"] for i in ids] == ["ALG", "FLEX", "CON"]
    assert [e["Fields"]["PrGp"] for e in sandbox.state.elements("PtProject", "POST")] == [
        "ALG",
        "FLEX",
        "CON",
    ]


def test_one_refused_record_refuses_the_list_and_nothing_is_created(client, sandbox):
    reply = client.post("/connectors/PtProject", json=projects("ALG", "XYZ", "CON"))

    assert reply.status_code == 500
    assert reply.json()["externalMessage"] == "Projectgroep 'XYZ' bestaat niet."
    assert sandbox.state.projects == {}
    assert len(sandbox.state.elements("PtProject")) == 3  # received, all of them


def test_a_dropped_answer_after_a_list_leaves_every_record_of_it_created(client, sandbox):
    sandbox.faults.use(Faults(script={1: "drop_after"}))

    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/connectors/PtProject", json=projects("ALG", "FLEX"))

    assert len(sandbox.state.projects) == 2


@pytest.mark.parametrize("fault", ["locked", "unavailable", "drop_before"])
def test_a_fault_before_the_app_refuses_the_whole_list(client, sandbox, fault):
    sandbox.faults.use(Faults(script={1: fault}))

    try:
        reply = client.post("/connectors/PtProject", json=projects("ALG", "FLEX"))
    except httpx.RemoteProtocolError:
        reply = None
    assert (reply.status_code if reply else None) == {
        "locked": 500,
        "unavailable": 503,
        "drop_before": None,
    }[fault]
    assert sandbox.state.projects == {}


def test_a_body_over_75_mb_gets_413_and_is_not_read(client, sandbox, monkeypatch):
    body = projects("ALG", "FLEX")
    monkeypatch.setattr(afas_app, "MAX_BODY", 500)  # (75 MB, scaled down)
    assert len(json.dumps(body, separators=(",", ":"))) > 500

    reply = client.post("/connectors/PtProject", json=body)

    assert reply.status_code == 413
    assert sandbox.state.projects == {} and sandbox.state.requests == []
