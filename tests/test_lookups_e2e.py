"""Lookups in bulk, end to end: the importer command with the Flex mapping against the AFAS
sandbox, counting the GetConnector requests the sandbox received."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import FLEX, ROOT, assert_each_record_once, posted_relations, statuses

from importer.lookups import Lookups
from importer.sandbox import AfasSandbox, Faults
from importer.targets.afas.client import AfasTarget

ROWS = 200
HEADER = (ROOT / "samples/flex/klanten.csv").read_text(encoding="utf-8-sig").splitlines()[0]


def customer(i: int, description: str | None = None) -> str:
    """A Flex customer row: number 60000+i, KvK 70000000+i, its agreement's description."""
    description = description or f"Klantovereenkomst {i}"
    return (
        f"{60000 + i};Klant {i};Klant {i} B.V.;KLANT{i};{70000000 + i};01-03-2024;;;"
        f"Dorpsstraat;{i + 1};3833LC;Leusden;NL;ALG;{description};24"
    )


def customers(tmp_path: Path, rows: list[str], name: str = "klanten.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def lookups(box: AfasSandbox) -> Counter[str]:
    """GetConnector requests received, by connector (metainfo not counted)."""
    return Counter(r["connector"] for r in box.state.reads if "/connectors/" in r["path"])


def test_a_first_run_looks_up_in_bulk_and_never_the_agreements_of_new_customers(
    cli, afas_env, tmp_path
):
    ran = cli("run", FLEX, "--input", customers(tmp_path, [customer(i) for i in range(ROWS)]))

    assert ran.code == 0, ran.err
    assert_each_record_once(afas_env, ROWS)
    # Profit holds nothing yet: each connector is read whole in one request (cheaper than
    # the OR-requests), and no agreement of a customer created now is looked up.
    assert lookups(afas_env) == {"Profit_Debtor": 1, "Profit_OrgPer": 1}
    assert sum(lookups(afas_env).values()) / (2 * ROWS) <= 0.02


def test_agreements_of_existing_customers_are_looked_up_in_bulk_and_linked_not_duplicated(
    cli, afas_env, tmp_path
):
    first = [customer(i) for i in range(ROWS)]
    assert cli("run", FLEX, "--input", customers(tmp_path, first)).code == 0
    # Half the agreements are gone (ended in Profit), ten customers are new.
    for project in [p for p in afas_env.state.projects if int(p) % 2][: ROWS // 2]:
        afas_env.state.projects.pop(project)
    gone = ROWS - len(afas_env.state.projects)
    afas_env.state.reads.clear()

    rows = first + [customer(i) for i in range(ROWS, ROWS + 10)]
    # a new journal (--fresh): what exists is known only to Profit
    ran = cli("run", FLEX, "--input", customers(tmp_path, rows, "again.csv"), "--fresh")

    assert ran.code == 0, ran.err
    assert_each_record_once(afas_env, ROWS + 10)
    relations = Counter(statuses(tmp_path / "flex-result.xlsx", "verkooprelaties").values())
    agreements = Counter(statuses(tmp_path / "flex-result.xlsx", "klantovereenkomsten").values())
    assert relations == {"existing": ROWS, "created": 10}
    assert agreements == {"existing": ROWS - gone, "created": gone + 10}
    # one bulk read per connector, before any row is sent: none per row
    assert lookups(afas_env) == {"Profit_Debtor": 1, "Profit_OrgPer": 1, "Profit_Projects": 1}


def test_a_description_with_a_comma_or_semicolon_is_linked_on_the_rerun_through_filterjson(
    cli, afas_env, tmp_path
):
    rows = [customer(1, "Detachering, flex"), customer(2, '"Werving; selectie"')]
    file = customers(tmp_path, rows)
    first = cli("run", FLEX, "--input", file)
    assert first.code == 0, first.err
    afas_env.state.reads.clear()

    again = cli("run", FLEX, "--input", file, "--fresh")  # what exists only Profit knows

    assert again.code == 0, again.err
    assert_each_record_once(afas_env, 2)
    assert set(statuses(tmp_path / "flex-result.xlsx", "klantovereenkomsten").values()) == {
        "existing"
    }
    (read,) = [r["query"] for r in afas_env.state.reads if r["connector"] == "Profit_Projects"]
    assert "filterjson=" in read and "filtervalues" not in read  # both in one request


def test_a_match_on_a_value_with_a_comma_finds_it_and_one_without_it_is_created(
    cli, afas_env, tmp_path
):
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(ROOT / "samples/flex/klanten.csv")
    data["templates"] = str(ROOT / "templates")
    data["steps"][0]["match"]["filter"] = {"DebtorName": "naam"}  # a name may hold a comma
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    rows = [customer(1).replace("Klant 1;", "Jansen, Bakker en Zn;", 1), customer(2)]

    assert cli("run", mapping, "--input", customers(tmp_path, rows)).code == 0
    again = cli("run", mapping, "--input", customers(tmp_path, rows), "--fresh")

    assert again.code == 0, again.err
    assert_each_record_once(afas_env, 2)
    assert set(statuses(tmp_path / "flex-result.xlsx", "verkooprelaties").values()) == {"existing"}


def test_unknown_rows_after_dropped_replies_are_reconciled_in_bulk_each_record_once(
    cli, monkeypatch, tmp_path
):
    file = customers(tmp_path, [customer(i) for i in range(100)])
    with AfasSandbox.start(faults=Faults(drop_after_rate=0.3, seed=4)) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        first = cli("run", FLEX, "--input", file, "--retries", "1")
        unknown = Counter(statuses(tmp_path / "flex-result.xlsx", "verkooprelaties").values())
        assert first.code == 1 and unknown["unknown"] >= 10  # saved, but no answer came
        box.faults.faults = Faults()
        box.state.reads.clear()

        second = cli("run", FLEX, "--input", file)

        assert second.code == 0, second.err
        assert_each_record_once(box, 100)
        # the unknown rows (and their agreements) were looked up together, not one by one
        assert sum(lookups(box).values()) <= 4
        assert lookups(box)["Profit_Debtor"] == 1


def test_agreements_of_customers_done_in_an_earlier_run_are_looked_up_in_bulk_by_their_ids(
    cli, afas_env, tmp_path
):
    rows = [customer(i).replace(";ALG;", ";FLEX;") if i % 2 else customer(i) for i in range(ROWS)]
    file = customers(tmp_path, rows)
    afas_env.state.project_groups = frozenset({"ALG"})  # the FLEX agreements are refused
    assert cli("run", FLEX, "--input", file).code == 1
    assert len(afas_env.state.projects) == ROWS // 2
    afas_env.state.project_groups = frozenset({"ALG", "FLEX"})
    afas_env.state.reads.clear()

    again = cli("run", FLEX, "--input", file)

    assert again.code == 0, again.err
    assert_each_record_once(afas_env, ROWS)
    assert len(afas_env.state.received("PtProject")) == ROWS + ROWS // 2  # refused ones again
    # the refused agreements' customers are in the journal: their ids name the agreements to
    # look up, all in one request; the customers (done) ask nothing
    assert lookups(afas_env) == {"Profit_Projects": 1}


def projects_mapping(
    tmp_path: Path, customer_rows: list[str], project_rows: list[str], batch: int = 1
) -> Path:
    """The Flex mapping with agreements of their own file (several per customer, keyed by
    a project code), matched by the new customer's DbId and the description."""
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(customers(tmp_path, customer_rows))
    projects = tmp_path / "projecten.csv"
    header = "Klantnummer;Projectcode;Projectgroep;Omschrijving;Uren per week"
    projects.write_text("\n".join([header, *project_rows]) + "\n", encoding="utf-8")
    data["sources"]["projecten"] = {"file": str(projects), "locale": "nl"}
    data["templates"] = str(ROOT / "templates")
    child = data["steps"][1]
    child["source"], child["key"] = "projecten", "projectcode"
    child["columns"]["projectcode"] = {"header": "Projectcode"}
    if batch > 1:
        child["batch"] = batch
    path = tmp_path / "projects.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


@pytest.mark.parametrize(
    "batch, options",
    [(1, ["--concurrency", "1"]), (1, []), (25, [])],
    ids=["one-by-one", "side-by-side", "batched"],
)
def test_two_agreements_of_a_new_customer_with_one_description_make_one_record(
    cli, afas_env, tmp_path, batch, options
):
    mapping = projects_mapping(
        tmp_path,
        [customer(1), customer(2)],
        ["60001;P1;ALG;Onderhoud;24", "60001;P2;ALG;Onderhoud;24", "60002;P3;ALG;Onderhoud;24"],
        batch,
    )

    ran = cli("run", mapping, *options)

    assert ran.code == 0, ran.err
    # the second agreement of customer 60001 finds the record the first one just made
    assert len(afas_env.state.projects) == 2
    assert sorted(p["fields"]["DbId"] for p in afas_env.state.projects.values()) == sorted(
        afas_env.state.debtors
    )
    result = statuses(tmp_path / "projects-result.xlsx", "klantovereenkomsten")
    assert sorted(result.values()) == ["created", "created", "existing"]
    # and the agreements of the new customers are still not looked up in Profit
    assert "Profit_Projects" not in lookups(afas_env)


DEBTOR = """{
  "KnSalesRelationOrg": {"Element": {
    "Fields": {"CuId": {{ row.valuta }}},
    "Objects": [
      {"KnOrganisation": {"Element": {"Fields": {"MatchOga": "0", "BcCo": {{ parent.BcCo }}}}}}
    ]
  }}
}
"""


def organisations_mapping(tmp_path: Path, match_oga: str) -> Path:
    """Organisations inserted with ``match_oga`` (no lookup of their own), each with a sales
    relation (numbered by Profit) that is matched by the organisation's BcCo."""
    templates = tmp_path / "templates" / "afas"
    templates.mkdir(parents=True)
    source = ROOT / "templates" / "afas" / "KnOrganisation.json.j2"
    (templates / "KnOrganisation.json.j2").write_text(source.read_text(encoding="utf-8"))
    (templates / "debiteur.json.j2").write_text(DEBTOR, encoding="utf-8")
    file = tmp_path / "organisaties.csv"
    file.write_text(
        "KvK-nummer;Naam;Straat;Huisnummer;Postcode;Plaats\n"
        "12345678;Bakkerij Jansen;Dorpsstraat;1;3833LC;Leusden\n",
        encoding="utf-8",
    )
    columns = {
        "kvk": {"header": "KvK-nummer", "type": "kvk"},
        "match_oga": {"value": match_oga},
        "naam": {"header": "Naam", "required": True},
        "straat": {"header": "Straat"},
        "huisnummer": {"header": "Huisnummer", "type": "integer"},
        "postcode": {"header": "Postcode", "type": "postcode_nl"},
        "plaats": {"header": "Plaats"},
        "zoek_woonplaats": {"value": False, "type": "boolean"},
    }
    data = {
        "version": 1,
        "target": "afas",
        "templates": str(tmp_path / "templates"),
        "sources": {"organisaties": {"file": str(file), "locale": "nl"}},
        "steps": [
            {
                "name": "organisaties",
                "source": "organisaties",
                "connector": "KnOrganisation",
                "template": "afas/KnOrganisation.json.j2",
                "key": "kvk",
                "keep": ["BcCo"],
                "columns": columns,
            },
            {
                "name": "debiteuren",
                "source": "organisaties",
                "connector": "KnSalesRelationOrg",
                "template": "afas/debiteur.json.j2",
                "key": "kvk",
                "parent": {"step": "organisaties", "key": "kvk"},
                "keep": ["DbId", "BcCo"],
                "match": {
                    "connector": "Profit_Debtor",
                    "filter": {"BcCo": "parent.BcCo"},
                    "ids": {"DbId": "DebtorId", "BcCo": "BcCo"},
                    "on_found": "link",
                },
                "columns": {"kvk": {"header": "KvK-nummer"}, "valuta": {"value": "EUR"}},
            },
        ],
    }
    path = tmp_path / "organisaties.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_a_child_of_an_organisation_profit_may_have_matched_is_looked_up_not_duplicated(
    cli, afas_env, tmp_path
):
    mapping = organisations_mapping(tmp_path, "1")  # MatchOga 1: by KvK number
    assert cli("run", mapping).code == 0
    assert len(afas_env.state.debtors) == 1
    afas_env.state.reads.clear()

    # a new journal: the organisation's insert updates the one Profit has (same KvK)
    again = cli("run", mapping, "--fresh")

    assert again.code == 0, again.err
    assert len(afas_env.state.debtors) == 1, "a second sales relation was created"
    assert statuses(tmp_path / "organisaties-result.xlsx", "debiteuren") == {2: "existing"}
    assert lookups(afas_env) == {"Profit_Debtor": 1}


def test_a_child_of_an_organisation_always_inserted_new_is_not_looked_up(cli, afas_env, tmp_path):
    mapping = organisations_mapping(tmp_path, "6")  # MatchOga 6: always new

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    assert len(afas_env.state.debtors) == 1
    assert lookups(afas_env) == {}


@pytest.mark.parametrize("where", ["the target's bulk read", "the step's bulk lookups"])
def test_a_bulk_lookup_that_breaks_leaves_each_row_to_ask_alone(
    cli, afas_env, tmp_path, monkeypatch, where
):
    first = [customer(i) for i in range(5)]
    assert cli("run", FLEX, "--input", customers(tmp_path, first)).code == 0
    if where == "the target's bulk read":
        original = AfasTarget.lookup

        def lookup(self: AfasTarget, connector: str, filters: list[dict[str, str]]) -> list:
            if len(filters) > 1:
                raise AttributeError("'str' object has no attribute 'get'")  # an odd record
            return original(self, connector, filters)

        monkeypatch.setattr(AfasTarget, "lookup", lookup)
    else:
        monkeypatch.setattr(Lookups, "prefetch_step", lambda self, step: 1 / 0)
    rows = first + [customer(i) for i in range(5, 8)]

    ran = cli("run", FLEX, "--input", customers(tmp_path, rows, "again.csv"), "--fresh")

    assert ran.code == 0, ran.err
    assert_each_record_once(afas_env, 8)
    relations = Counter(statuses(tmp_path / "flex-result.xlsx", "verkooprelaties").values())
    assert relations == {"existing": 5, "created": 3}


def test_two_rows_of_one_customer_sent_side_by_side_make_one_record(cli, afas_env, tmp_path):
    data = yaml.safe_load(FLEX.read_text())
    twice = customer(2).replace("Klant 2", "Klant Twee").replace(f"{70000002}", "70009999")
    rows = [customer(1), customer(2), twice, *(customer(i) for i in range(3, 20))]
    data["sources"]["klanten"]["file"] = str(customers(tmp_path, rows))
    data["templates"] = str(ROOT / "templates")
    data["steps"] = data["steps"][:1]
    data["steps"][0]["key"] = "naam"  # keyed by name: one customer number may come twice
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    afas_env.faults.use(Faults(latency_ms=30))  # rows 3 and 4 are in flight together

    ran = cli("run", mapping, "--concurrency", "8")

    assert ran.code == 0, ran.err
    result = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
    # the one that came second waited for the other's record, then found it
    assert sorted([result[3], result[4]]) == ["created", "existing"]
    assert posted_relations(afas_env).count("60002") == 1 and len(afas_env.state.debtors) == 19


def test_a_row_of_unknown_outcome_that_finds_the_record_another_row_just_made_links_it(
    cli, afas_env, tmp_path
):
    data = yaml.safe_load(FLEX.read_text())
    again = customer(2).replace("Klant 2", "Klant Twee").replace(f"{70000002}", "70009999")
    broken = customer(2).replace(f"{70000002}", "7000000X")  # an invalid KvK number
    source = customers(tmp_path, [customer(1), broken, again])
    data["sources"]["klanten"]["file"] = str(source)
    data["templates"] = str(ROOT / "templates")
    data["steps"] = data["steps"][:1]
    data["steps"][0]["key"] = "naam"  # keyed by name: one customer number may come twice
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    afas_env.faults.use(Faults(script={2: "drop_before"}))  # row 4's insert: no answer
    fast = ("--concurrency", "1", "--retry-backoff", "0.01", "--max-wait", "0.05")

    first = cli("run", mapping, *fast)

    result = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert (first.code, result[3], result[4]) == (1, "invalid", "unknown")
    customers(tmp_path, [customer(1), customer(2), again])  # row 3 corrected

    second = cli("run", mapping, *fast)

    assert second.code == 0, second.err
    # row 4's earlier request made nothing (its lookup found nothing): the record row 3 made
    # now is linked as its match says, not taken for what row 4's request made
    result = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert (result[3], result[4]) == ("created", "existing")
    assert posted_relations(afas_env).count("60002") == 1 and len(afas_env.state.debtors) == 2
