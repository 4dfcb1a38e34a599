"""A sample import into the tests-only REST target: members, looked up by number first."""

MAPPING = """\
target: rest
templates: templates
sources:
  members: {file: members.csv}
steps:
  - name: members
    source: members
    connector: members
    template: member.json.j2
    key: number
    keep: [id]
    match:
      connector: members
      filter: {number: number}
      ids: {id: id}
      on_found: link
    columns:
      number: {header: Number}
      name: {header: Name, required: true}
      city: {header: City}
"""

TEMPLATE = '{"number": {{ row.number }}, "name": {{ row.name }}, "city": {{ row.city }}}\n'
