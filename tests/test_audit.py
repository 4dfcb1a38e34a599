"""The audit trail: every request and reply as JSON lines, secrets masked, end to end."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import openpyxl
import pytest
from conftest import FLEX, ROOT

from importer.audit import AuditTrail, AuditTransport
from importer.sandbox import AfasSandbox, Faults
from importer.targets.afas.client import token_header

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def exchanges(path: Path) -> list[dict]:
    return [line for line in lines(path) if line["event"] == "exchange"]


def test_every_request_and_reply_is_recorded_with_its_step_and_row(cli, afas_env, tmp_path):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS)
    assert ran.code == 1

    path = tmp_path / "flex.audit.jsonl"
    records = lines(path)
    start, end = records[0], records[-1]
    assert start["event"] == "run" and end["event"] == "end"
    assert start["target"] == f"{afas_env.server.host}:{afas_env.server.port}"
    assert start["environment"] == "sandbox" and start["mapping"] == str(FLEX)
    assert start["command"].startswith("importer run ")
    assert (
        end["summary"]
        == "Import finished: 1 created, 1 failed, 6 invalid, 0 skipped; source rows: klanten.csv 8"
    )
    assert {r["run_id"] for r in records} == {start["run_id"]}

    writes = [r for r in exchanges(path) if r["method"] == "POST"]
    sent = afas_env.state.received("KnSalesRelationOrg") + afas_env.state.received("PtProject")
    assert len(writes) == len(sent) == 4
    by_place = {(r["step"], r["row"]): r for r in writes}
    relation = by_place[("verkooprelaties", 7)]
    assert relation["url"] == f"{afas_env.base_url}/connectors/KnSalesRelationOrg"
    assert relation["status"] == 201 and relation["duration_ms"] >= 0
    assert relation["request"] in sent
    assert relation["reply"]["results"]["KnSalesRelationOrg"]["DbId"] == "50006"
    refused = by_place[("klantovereenkomsten", 7)]
    assert refused["status"] == 500
    assert refused["reply"]["externalMessage"] == "Projectgroep 'ONBEKEND' bestaat niet."
    workbook = openpyxl.load_workbook(tmp_path / "flex-result.xlsx")
    agreements = {r[0]: r for r in workbook["klantovereenkomsten"].iter_rows(values_only=True)}
    assert refused["reply"]["profitLogReference"] == agreements[7][-1]
    # the lookups and the contract reads are there too
    assert any("/connectors/Profit_Debtor?" in r["url"] for r in exchanges(path))
    assert any(r["url"].endswith("/metainfo/update/PtProject") for r in exchanges(path))
    # the workbook names the same run
    summary = {r[0]: r[1] for r in workbook["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Run id"] == start["run_id"]


def test_no_token_or_header_ever_reaches_the_file(cli, afas_env, tmp_path):
    assert cli("run", FLEX).code == 0

    text = (tmp_path / "flex.audit.jsonl").read_text(encoding="utf-8")
    assert afas_env.token not in text
    assert token_header(afas_env.token).split()[1] not in text
    assert "AfasToken" not in text and "Authorization" not in text


def test_oauth_token_request_is_recorded_with_its_secrets_masked(cli, monkeypatch, tmp_path):
    with AfasSandbox.start() as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_CLIENT_ID", box.client_id)
        monkeypatch.setenv("AFAS_CLIENT_SECRET", box.client_secret)

        assert cli("run", FLEX).code == 0

        issued = list(box.faults.app._issued)  # the access tokens the sandbox handed out
    path = tmp_path / "flex.audit.jsonl"
    text = path.read_text(encoding="utf-8")
    token = next(r for r in exchanges(path) if r["url"].endswith("/oauth/token"))
    assert token["method"] == "POST" and token["status"] == 200
    assert token["request"] == {
        "grant_type": "client_credentials",
        "client_id": box.client_id,
        "client_secret": "***",
    }
    assert token["reply"]["access_token"] == "***"
    assert issued and all(t not in text for t in issued)
    assert box.client_secret not in text and "Bearer" not in text


def test_a_wrong_secret_is_recorded_masked_and_the_run_stops(cli, monkeypatch, tmp_path):
    with AfasSandbox.start() as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_CLIENT_ID", box.client_id)
        monkeypatch.setenv("AFAS_CLIENT_SECRET", "wrong-secret-value")

        assert cli("run", FLEX).code == 2

    text = (tmp_path / "flex.audit.jsonl").read_text(encoding="utf-8")
    assert "wrong-secret-value" not in text
    assert json.loads(text.splitlines()[1])["status"] == 401


def test_a_request_without_an_answer_is_recorded_with_the_error(cli, monkeypatch, tmp_path):
    with AfasSandbox.start(faults=Faults(script={2: "drop_after"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)

        ran = cli("run", FLEX, "--concurrency", "1")

    assert ran.out.endswith("1 unknown; source rows: klanten.csv 25\n")
    dropped = [r for r in exchanges(tmp_path / "flex.audit.jsonl") if r["status"] is None]
    assert len(dropped) == 1
    assert dropped[0]["error"].startswith("RemoteProtocolError")
    assert dropped[0]["reply"] is None and dropped[0]["request"]["KnSalesRelationOrg"]
    assert (dropped[0]["step"], dropped[0]["row"]) == ("verkooprelaties", 3)


def test_runs_are_appended_and_audit_chooses_the_file(cli, afas_env, tmp_path):
    assert cli("run", FLEX).code == 0
    assert cli("run", FLEX).code == 0  # a rerun: nothing written, still recorded
    assert cli("run", FLEX, "--audit", "logs/trail.jsonl", "--out", "other.xlsx").code == 0

    runs = [r for r in lines(tmp_path / "flex.audit.jsonl") if r["event"] == "run"]
    assert len(runs) == 2 and runs[0]["run_id"] != runs[1]["run_id"]
    second = [
        r for r in exchanges(tmp_path / "flex.audit.jsonl") if r["run_id"] == runs[1]["run_id"]
    ]
    assert not any(r["method"] == "POST" for r in second)
    assert lines(tmp_path / "logs" / "trail.jsonl")[0]["event"] == "run"


def test_dry_run_and_validate_write_no_audit_trail(cli, tmp_path):
    assert cli("run", FLEX, "--dry-run").code == 0
    assert cli("validate", FLEX).code == 0
    assert not list(tmp_path.glob("*.jsonl"))


def test_a_target_refused_before_sending_leaves_no_empty_file(cli, tmp_path):
    assert cli("run", FLEX).code == 2  # no AFAS_BASE_URL
    assert not (tmp_path / "flex.audit.jsonl").exists()


def test_the_hook_masks_secrets_in_urls_bodies_and_everywhere_after(tmp_path):
    trail = AuditTrail(tmp_path / "a.jsonl", run_id="r1")
    trail(
        method="POST",
        url="https://user:pw@host.test/api?token=abcdef123&page=2",
        request_body=b'{"Fields": {"Pwrd": "s3cr3t-value", "Nm": "x"}, "list": [{"apiKey": 123456}]}',
        status=200,
        reply_body="not json: s3cr3t-value repeated",
        duration_ms=1.23,
    )
    trail(
        method="POST",
        url="https://host.test/oauth/token",
        request_body="grant_type=client_credentials&client_id=me&client_secret=p%40ss-word-1",
        status=200,
        reply_body=b'{"access_token": "eyJ-very-long", "expires_in": 3600}',
        duration_ms=2,
    )
    trail.close()

    first, second = lines(tmp_path / "a.jsonl")
    assert first["url"] == "https://host.test/api?token=%2A%2A%2A&page=2"
    assert first["request"] == {"Fields": {"Pwrd": "***", "Nm": "x"}, "list": [{"apiKey": "***"}]}
    assert first["reply"] == "not json: *** repeated"
    assert first["step"] is None and first["duration_ms"] == 1.2
    assert second["request"]["client_secret"] == "***"
    assert second["reply"] == {"access_token": "***", "expires_in": 3600}
    text = (tmp_path / "a.jsonl").read_text()
    for secret in ("abcdef123", "s3cr3t-value", "p@ss-word-1", "eyJ-very-long", "pw@"):
        assert secret not in text


def test_the_trail_is_safe_from_many_threads_and_cuts_huge_replies(tmp_path):
    trail = AuditTrail(tmp_path / "t.jsonl", run_id="r")

    def send(n: int) -> None:
        for i in range(50):
            trail(
                method="GET",
                url=f"https://h.test/{n}/{i}",
                request_body=None,
                status=200,
                reply_body="y" * 100_000 if i == 0 else "{}",
                duration_ms=0.5,
            )

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trail.close()

    records = lines(tmp_path / "t.jsonl")
    assert len(records) == 400 and trail.exchanges == 400
    cut = [r["reply"] for r in records if isinstance(r["reply"], str)]
    assert len(cut) == 8 and all(c.endswith("[cut: 100000 characters in all]") for c in cut)


def test_the_transport_hands_the_reply_on_unchanged():
    seen = []

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"ok": True}, headers={"X-Id": "7"})

    def audit(**record):
        seen.append(record)

    client = httpx.Client(transport=AuditTransport(httpx.MockTransport(reply), audit))
    response = client.post("https://h.test/x", json={"a": 1})

    assert (response.status_code, response.json(), response.headers["X-Id"]) == (
        201,
        {"ok": True},
        "7",
    )
    assert seen[0]["method"] == "POST" and seen[0]["status"] == 201
    assert json.loads(seen[0]["request_body"]) == {"a": 1}
    assert json.loads(seen[0]["reply_body"]) == {"ok": True}


def test_a_lone_surrogate_in_a_body_is_written_escaped_and_never_raises(tmp_path):
    trail = AuditTrail(tmp_path / "t.jsonl", run_id="r")
    half = b'{"Nm": "Caf\\u00e9 \\ud83d"}'  # an emoji cut at a UTF-16 field length

    trail(method="POST", url="https://h.test/x", request_body=half, status=201,
          reply_body=half, duration_ms=1.0)  # fmt: skip

    trail.close()
    text = (tmp_path / "t.jsonl").read_text(encoding="utf-8")
    assert '"Nm": "Café \\ud83d"' in text


def test_a_line_the_trail_cannot_write_does_not_stop_the_request(caplog):
    def audit(**record):
        raise OSError("No space left on device")

    client = httpx.Client(
        transport=AuditTransport(httpx.MockTransport(lambda r: httpx.Response(201)), audit)
    )

    assert client.post("https://h.test/x", json={"a": 1}).status_code == 201
    assert "a line could not be written (OSError: No space left on device)" in caplog.text


def test_a_secret_name_written_with_escapes_is_masked_too(tmp_path):
    trail = AuditTrail(tmp_path / "t.jsonl", run_id="r")
    trail(
        method="POST",
        url="https://h.test/x",
        request_body=b'{"p\\u0061ssword": "hunter22", "a": 1}',
        status=200,
        reply_body=b'{"echo": "hunter22", "b": [1, 2]}',
        duration_ms=1.0,
    )
    trail.close()

    [line] = lines(tmp_path / "t.jsonl")
    assert line["request"] == {"password": "***", "a": 1}
    assert line["reply"] == {"echo": "***", "b": [1, 2]}


def test_the_listener_gets_each_record_as_written_without_its_bodies(tmp_path):
    seen = []
    trail = AuditTrail(tmp_path / "t.jsonl", run_id="r", listener=seen.append)
    trail(
        method="POST",
        url="https://h.test/token",
        request_body=b'{"Pwrd": "geheim123"}',
        status=200,
        reply_body=b"{}",
        duration_ms=1.0,
    )
    trail(
        method="GET",
        url="https://h.test/users/geheim123",
        request_body=None,
        status=404,
        reply_body=b"{}",
        duration_ms=2.0,
    )
    trail.paced(limit=4, ceiling=8, why="busy")
    trail.close()

    written = lines(tmp_path / "t.jsonl")
    assert written[1]["url"] == "https://h.test/users/***"
    assert seen == [{k: v for k, v in w.items() if k not in ("request", "reply")} for w in written]
    assert seen[2] == {**seen[2], "event": "pace", "limit": 4, "ceiling": 8, "why": "busy"}


def test_every_secret_name_holds_a_word_that_sends_its_body_to_the_masking_walk():
    from importer.audit import SECRET_NAME, SECRET_WORDS

    names = [
        "password", "Pwrd", "pwd", "passwd", "client_secret", "access_token", "X-Api-Key",
        "apikey", "api_key", "Authorization", "authorisation", "credentials", "atcd",
        "client_assertion", "code_verifier", "pass",
    ]  # fmt: skip
    for name in names:
        assert SECRET_NAME.search(name), name
        assert any(word in name.lower() for word in SECRET_WORDS), name


@pytest.mark.parametrize("name", ["paſsword", "ſecret", "credentıal", "api_\u212aey"])
def test_a_secret_name_that_only_case_folding_reveals_is_masked_too(tmp_path, name):
    from importer.audit import SECRET_NAME

    assert SECRET_NAME.search(name)  # the masking walk's regex takes it for a secret's name
    trail = AuditTrail(tmp_path / "t.jsonl", run_id="r")
    body = json.dumps({name: "hunter22", "a": 1}, ensure_ascii=False).encode("utf-8")
    trail(
        method="POST",
        url="https://h.test/x",
        request_body=body,
        status=200,
        reply_body=b"{}",
        duration_ms=1.0,
    )
    trail.close()

    [line] = lines(tmp_path / "t.jsonl")
    assert line["request"] == {name: "***", "a": 1}
    assert "hunter22" not in (tmp_path / "t.jsonl").read_text(encoding="utf-8")
