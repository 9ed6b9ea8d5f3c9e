"""GraphQL schema removals (graphql_schema.py): a field, an input field, an argument, an enum value, a union member
or a whole type taken out of the SDL breaks API clients; saleor's #19482 removed Checkout.note, Product.variant and
Order.availableShippingMethods from saleor/graphql/schema.graphql and nothing was flagged."""

from __future__ import annotations

import dataclasses

from app.core.git.repo import GitRepo
from app.core.impact.destructive import graphql_schema
from app.core.impact.destructive.model import Work
from app.core.impact.destructive.scan import blob_reader, scan_change
from tests.conftest import ALICE

BASE = '''type Query {
  """Look up a product."""
  product(id: ID!, channel: String): Product
  legacyOrders: [Order!] @deprecated(reason: "Use `orders`.")
}

type Product {
  id: ID!
  name: String!
  """Get a single variant by SKU or ID."""
  variant(id: ID, sku: String): Variant @deprecated(reason: "Use top-level `variant` query.")
}

type Variant {
  id: ID!
}

type Order {
  id: ID!
}

input ProductFilter {
  search: String
  ids: [ID!]
}

enum OrderStatus {
  DRAFT
  UNCONFIRMED @deprecated(reason: "Gone in 4.0.")
  FULFILLED
}

union SearchResult = Product | Order
'''

HEAD = '''type Query {
  """Look up a product."""
  product(id: ID!): Product
}

type Product {
  id: ID!
}

input ProductFilter {
  search: String
}

enum OrderStatus {
  DRAFT
  FULFILLED
}

union SearchResult = Product

type Order {
  id: ID!
}
'''


def _scan(make_repo, base: dict[str, str], head: dict[str, str | None]):
    builder = make_repo()
    first = builder.commit("base", base, author=ALICE)
    second = builder.commit("head", head, author=ALICE)
    repo = GitRepo(builder.path)
    return scan_change(repo.diff(first, second), blob_reader(repo.blob))


def test_each_removal_is_named_where_the_base_declared_it(make_repo) -> None:
    result = _scan(make_repo, {"api/schema.graphql": BASE}, {"api/schema.graphql": HEAD})
    removal, deprecated = graphql_schema.REMOVAL_WEIGHT, graphql_schema.DEPRECATED_WEIGHT
    assert [(f.kind, f.side, f.line, f.target, f.weight) for f in result.findings] == [
        (graphql_schema.KIND, "old", 3, "argument Query.product(channel:)", removal),
        (graphql_schema.KIND, "old", 4, "field Query.legacyOrders", deprecated),
        (graphql_schema.KIND, "old", 9, "field Product.name", removal),
        (graphql_schema.KIND, "old", 11, "field Product.variant", deprecated),  # its name's line; its arguments go
        (graphql_schema.KIND, "old", 14, "type Variant", removal),  # its fields go with it
        (graphql_schema.KIND, "old", 24, "input field ProductFilter.ids", removal),
        (graphql_schema.KIND, "old", 29, "enum value OrderStatus.UNCONFIRMED", deprecated),
        (graphql_schema.KIND, "old", 33, "union member SearchResult | Order", removal),
    ]
    by_line = {f.line: f for f in result.findings}
    assert by_line[9].summary() == ("api/schema.graphql:9: field Product.name: removed from the GraphQL schema: "
                                    "clients that query it break")
    assert by_line[29].reason.endswith("(it was @deprecated first: the announced removal)")
    assert not result.notes


def test_a_type_moved_to_another_file_and_additions_are_no_removal(make_repo) -> None:
    order = 'type Order {\n  id: ID!\n}\n'
    base = {"schema/shop.graphqls": 'type Query {\n  order: Order\n}\n' + order, "schema/other.graphqls": ""}
    moved = {"schema/shop.graphqls": 'type Query {\n  order: Order\n  orders: [Order!]\n}\n',
             "schema/other.graphqls": order + 'enum Extra {\n  ONE\n}\n'}
    assert _scan(make_repo, base, moved).findings == []


def test_operations_and_a_schema_that_does_not_parse(make_repo) -> None:
    query = 'query Orders {\n  orders {\n    id\n    note\n  }\n}\n'
    assert _scan(make_repo, {"web/orders.graphql": query}, {"web/orders.graphql": query.replace("    note\n", "")}
                 ).findings == []
    broken = _scan(make_repo, {"api/schema.graphql": BASE}, {"api/schema.graphql": HEAD + "type {\n"})
    assert broken.findings == []
    assert broken.notes == ["api/schema.graphql: GraphQL does not parse: Syntax Error: Expected Name, found '{'.: "
                            "not scanned"]


def test_definitions_read_one_by_one_as_the_whole_file_reads_them() -> None:
    """Each definition is parsed on its own, its description with it; a line inside a description that opens with a
    keyword cuts the file where no definition starts, and the file is read whole instead: the same names, lines."""
    described = ('"""\nA product.\n"""\ntype Product {\n  id: ID!\n  name: String\n}\n\n"One line."\nscalar Money\n'
                 '"""Block on one line."""\nenum Kind {\n  A\n}\n')
    tricky = described.replace("A product.\n", "A product.\ntype names are case-sensitive\n")
    for text in (described, tricky):
        pieces = graphql_schema.members(text, "s.graphql", Work())
        whole = {key: dataclasses.replace(member, path="s.graphql")
                 for key, member in graphql_schema._members(text).items()}
        assert pieces == whole
        assert {key: member.line for key, member in pieces.items()} == {
            "Product": 4 + (text is tricky), "Product.id": 5 + (text is tricky), "Product.name": 6 + (text is tricky),
            "Money": 10 + (text is tricky), "Kind": 12 + (text is tricky), "Kind.A": 13 + (text is tricky)}
    assert len(graphql_schema._pieces(described)) == 3
