"""Check UpdateConnector bodies against a connector's catalog: what AFAS would refuse, unsent.

Bodies are checked with a plain walk over the dicts, so that checking 100,000 bodies stays
cheap; most bodies are valid, and a quick walk that builds no messages says so first.

Public (``Contract`` here; ``check_body`` in :mod:`~importer.targets.afas.contract.walk`,
``missing_mandatory`` in :mod:`~importer.targets.afas.contract.mandatory`, ``update_problems``
and ``order_problems`` in :mod:`~importer.targets.afas.contract.update_rules`; the quick walk
is :mod:`~importer.targets.afas.contract.quick`):

- ``check_body(connector, body)``: what AFAS would reject in a body, without sending it:
  unknown objects and fields, strings that are too long, values outside a field's list, values of
  the wrong type, dates not written ``YYYY-MM-DD``, and what AFAS's notes refuse beyond that
  (``VALUE_RULES``: an old-style bank account number of other than 10 positions, a BSN failing
  the 11-test). AFAS accepts every value as a string, so ``"36"`` is a valid integer and
  ``"12.5"`` a valid number. Empty values (``""``, ``null``) always pass. Choices made where
  AFAS's own examples disagree with a strict reading: allowed values match case-insensitively;
  a JSON boolean in a string field counts as "1"/"0"; an integer field refuses floats
  (``36.0``) and a number field refuses a decimal comma; date-time fields are not checked (an
  example sends ``"00:08:00"``), also when the target's metainfo calls them ``date``; custom
  fields (``U`` + 32 hex characters) are not in the catalog and pass unchecked; ``"@Action"``
  in ``Fields`` must be insert, update or delete. Paths name list items by index:
  ``FbSales.FbSalesLines[1].QuUn``.
- ``missing_mandatory(connector, body, existing=False)``: mandatory fields an insert leaves
  out. The catalog marks some fields mandatory that Profit fills itself; those are listed in
  ``NOT_DEMANDED`` and ``WAIVED_WHEN`` (:mod:`importer.targets.afas.catalog`), each with the
  evidence.
- ``update_problems(connector, root, body)``: what an update body breaks beyond ``check_body``:
  a mandatory field emptied (``""``) in a record the update changes, mandatory fields missing
  from the nested objects it adds (an address, a bank account, an order line without GuLi or
  ``@Action`` update/delete), ``SoQu`` (taken over only by an insert), a line with ``@Action``
  update or delete that names no line (no GuLi, no ItCd).
- ``order_problems(connector, body)``: ``FbSalesLines`` holding an empty ``Element`` list is
  refused (leave the object out instead; an order without lines needs ``SoQu``).
- ``Contract``: one connector's catalog, shipped or read from the target's metainfo; its
  ``violations(body, action)`` are the above for an insert or an update (a delete sends no body).

Body shape: ``{"<Name>": {"Element": {...} | [{...}, ...]}}``; an element holds optional ``@Key``
attributes, ``Fields`` and ``Objects``; ``Objects`` is either a list of one-key objects or one
object holding several keys, each ``{"<Nested>": {"Element": ...}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from importer.contract import Violation
from importer.targets.afas.catalog import (
    _compile_object,
    _compiled,
    _Object,
    connectors,
    document_from_metainfo,
)
from importer.targets.afas.contract.mandatory import _missing_in_node
from importer.targets.afas.contract.quick import _clean_body
from importer.targets.afas.contract.update_rules import order_problems, update_problems
from importer.targets.afas.contract.walk import _ACTIONS, _check_node, _root_node


@dataclass(frozen=True)
class Contract:
    """What one connector accepts: checks a body before it is sent."""

    connector: str
    root: _Object
    source: str

    @classmethod
    def shipped(cls, connector: str) -> Contract | None:
        """The catalog shipped in the package, or None if there is none for ``connector``."""
        if connector not in connectors():
            return None
        return cls(connector, _compiled(connector), "shipped catalog")

    @classmethod
    def from_metainfo(cls, connector: str, reply: dict[str, Any]) -> Contract:
        """The contract a target describes in its ``/metainfo/update/{connector}`` reply."""
        document = document_from_metainfo(connector, reply)
        return cls(connector, _compile_object(document), "target's metainfo")

    def violations(self, body: Any, action: str = "insert") -> list[Violation]:
        """Everything the connector would refuse in ``body`` sent as ``action``.

        ``"insert"``: missing mandatory fields included; ``"update"``: a body holding what
        changes (see :func:`update_problems`), its keys still to be added by the client;
        ``"delete"``: nothing (a DELETE sends no body, its keys are in the path).
        """
        if action == "delete":
            return []
        if action not in _ACTIONS:
            raise ValueError(f"action is one of {', '.join(_ACTIONS)}, not {action!r}")
        if action == "update":
            out: list[Violation] = []
            node = _root_node(self.connector, body, out)
            if node is not None:
                _check_node(self.root, node, self.connector, out)
                out += update_problems(self.connector, self.root, body)
            return out
        orders = order_problems(self.connector, self.root, body)
        try:
            if _clean_body(self.connector, self.root, body):
                return orders
        except Exception:  # noqa: BLE001 - whatever the quick walk trips on, the full walk reports
            pass
        out = []
        node = _root_node(self.connector, body, out)
        if node is not None:
            _check_node(self.root, node, self.connector, out)
            _missing_in_node(self.root, node, self.connector, out)
        return out + orders
