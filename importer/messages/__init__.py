"""Messages the user sees, as a code with parameters, rendered per language at the edge.

A :class:`Message` is built where the problem is found (``Message("value.required")``,
``Message("value.too_long", length=19, limit=10)``) and rendered where it is shown: the
workbook and the terminal call :func:`render` with the chosen language; ``str(message)`` is
English (the journal, the audit trail and the summary line on stdout are English).

Each language has one table of ``str.format`` templates by code: :data:`EN`
(:mod:`importer.messages.en`) and :data:`NL` (:mod:`importer.messages.nl`) hold the generic
ones; a target package's ``messages`` (its :class:`~importer.targets.TargetSpec` names them)
add its own, so no generic template names a system (the system comes as a ``{system}``
parameter). A test checks that every code has a template in every language, with the same
placeholders. The machinery (:class:`Message`, :func:`render`, :func:`tables`) is in
:mod:`importer.messages.core`.

Parameters are plain values. A parameter that is itself a Message, or a status, renders in the
same language; a tuple holding Messages renders as its items rendered and joined (with no
separator: put ``"; "`` or a ``word.*`` Message between them). A number written ``{n:,}`` is
grouped as the language groups thousands (1,000,000; Dutch 1.000.000). What a target wrote
itself (its error message) and what a mapping's author wrote (a check's ``message:``) are
shown as written: ``target.said`` and ``text`` carry it as ``{text}``.
"""

from __future__ import annotations

from importer.messages.core import Message, placeholders, render, tables, unavailable
from importer.messages.en import EN
from importer.messages.nl import NL

__all__ = ["EN", "NL", "Message", "placeholders", "render", "tables", "unavailable"]
