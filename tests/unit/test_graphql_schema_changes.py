"""GraphQL changes that break clients while the name stays (graphql_schema.changes): saleor's #18881 made
AppInstallInput.appName and manifestUrl required (String -> String!) and #18958 made
RefundSettingsUpdate.refundSettings nullable; only removals were reported."""

from __future__ import annotations

from app.core.impact.destructive import graphql_schema
from tests.unit.test_graphql_schema_removals import _scan

BASE = '''type Query {
  product(id: ID!, channel: String, first: Int): Product
}

type Product {
  id: ID!
  name: String
  weight: Float
  tags: [String!]
  code: String!
}

input AppInstallInput {
  appName: String
  ids: [ID!]
}
'''

HEAD = '''type Query {
  product(
    id: ID!
    channel: String!
    first: String
    last: Int = 5
    sort: String!
  ): Product
  newField(x: Int!): Int
}

type Product {
  id: ID!
  name: String!
  weight: Int
  tags: String
  code: String
}

input AppInstallInput {
  appName: String!
  ids: [ID]
  kind: String! = "A"
  status: String!
}
'''


def test_each_breaking_change_is_named_where_the_head_declares_it(make_repo) -> None:
    result = _scan(make_repo, {"api/schema.graphql": BASE}, {"api/schema.graphql": HEAD})
    assert [(f.kind, f.side, f.line, f.target, f.weight) for f in result.findings] == [
        (graphql_schema.CHANGE_KIND, "new", 4, "argument Query.product(channel:)", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 5, "argument Query.product(first:)", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 7, "argument Query.product(sort:)", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 15, "field Product.weight", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 16, "field Product.tags", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 17, "field Product.code", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 21, "input field AppInstallInput.appName", graphql_schema.REMOVAL_WEIGHT),
        (graphql_schema.CHANGE_KIND, "new", 24, "input field AppInstallInput.status", graphql_schema.REMOVAL_WEIGHT),
    ]  # not: a field made non-null, an input list's items made nullable, a new argument with a default, a new field
    reasons = {f.target: f.reason for f in result.findings}
    assert reasons["argument Query.product(channel:)"] == (
        "made required (String -> String!): clients that do not send it break")
    assert reasons["field Product.tags"] == "type changed ([String!] -> String): clients that query it break"
    assert reasons["field Product.code"] == "may now be null (String! -> String): clients that do not expect null break"
    assert reasons["input field AppInstallInput.status"] == (
        "new and required (String!, no default): clients that do not send it break")


def test_an_addition_only_change_is_read_and_a_safe_one_gives_nothing(make_repo) -> None:
    base = 'input Filter {\n  search: String\n}\n'
    added = 'input Filter {\n  search: String\n  x: Int!\n}\n'
    required = _scan(make_repo, {"s.graphqls": base}, {"s.graphqls": added})
    assert [f.target for f in required.findings] == ["input field Filter.x"]
    optional = _scan(make_repo, {"s.graphqls": base}, {"s.graphqls": 'input Filter {\n  search: String\n  x: Int\n}\n'})
    assert optional.findings == []


def test_an_interface_a_type_stops_implementing_is_a_removal(make_repo) -> None:
    node = 'interface Node {\n  id: ID!\n}\n\n'
    base = node + 'type Order implements Node & Entity {\n  id: ID!\n}\n\ninterface Entity {\n  id: ID!\n}\n'
    head = node + 'type Order implements Entity {\n  id: ID!\n}\n\ninterface Entity {\n  id: ID!\n}\n'
    result = _scan(make_repo, {"s.graphql": base}, {"s.graphql": head})
    assert [f.summary() for f in result.findings] == [
        "s.graphql:5: interface Order implements Node: removed from the GraphQL schema: clients that match it break"]
    # a type removed with its interfaces is one removal
    gone = _scan(make_repo, {"s.graphql": base}, {"s.graphql": node + 'interface Entity {\n  id: ID!\n}\n'})
    assert [f.target for f in gone.findings] == ["type Order"]
    # an interface removed is one removal, not one more per type that implemented it
    dropped = _scan(make_repo, {"s.graphql": base}, {"s.graphql": 'type Order implements Entity {\n  id: ID!\n}\n\n'
                                                                'interface Entity {\n  id: ID!\n}\n'})
    assert [f.target for f in dropped.findings] == ["type Node"]
