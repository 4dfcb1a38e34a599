"""The journal: what was sent for every step and row key, and what came back (SQLite).

- :mod:`importer.journal.store`: the :class:`~importer.journal.store.Journal` itself, what it
  records and how a run holds it;
- :mod:`importer.journal.database`: its SQLite file: the tables, opening it, its lock;
- :mod:`importer.journal.places`: where journals live, a file per mapping and environment;
- :mod:`importer.journal.index`: the user's index of journals, and the journals of an import a
  run would not use.
"""
