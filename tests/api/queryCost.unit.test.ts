import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryCost } from '../../src/api/queryCost.js';

const schema = buildSchema(`
  type Query {
    version: String!
    tags: [String!]!
    items(first: Int = 5): [Item!]!
    all: [Item!]!
    page(first: Int): ItemPage!
    item(id: ID!): Item
    things: [Thing!]!
  }
  type Subscription { itemAdded: Item! }
  type Item { id: ID! parts: [Part!]! owner: Owner! }
  type Part { name: String! }
  type Owner { name: String! item: Item }
  type ItemPage { total: Int! nodes: [Item!]! edges: [ItemEdge!]! }
  type ItemEdge { cursor: String! node: Item! }
  union Thing = Item | Part
`);

const measure = (query: string, variables?: Record<string, unknown>) =>
  queryCost(schema, parse(query), variables, { defaultListSize: 10 });

describe('query cost', () => {
  it('counts every field once, a list of scalars included', () => {
    expect(measure('{ version tags a: version }')).toEqual({
      cost: 3,
      depth: 1,
      typeTraversals: 0,
      dependsOnVariables: false,
    });
  });

  it('multiplies a list of objects by its first argument, given or by default', () => {
    expect(measure('{ items(first: 3) { id } }').cost).toBe(1 + 3 * 1);
    expect(measure('{ items { id } }').cost).toBe(1 + 5 * 1);
  });

  it('multiplies a list without first by the default list size, at every level', () => {
    expect(measure('{ all { id parts { name } } }').cost).toBe(1 + 10 * (1 + (1 + 10 * 1)));
  });

  it('takes first from the variables, else the variable’s default, and says the cost depends on them', () => {
    const query = 'query Items($n: Int = 2) { items(first: $n) { id } }';
    expect(measure(query, { n: 40 })).toMatchObject({ cost: 41, dependsOnVariables: true });
    expect(measure(query, {})).toMatchObject({ cost: 3, dependsOnVariables: true });
    expect(measure('query Items($n: Int) { items(first: $n) { id } }', {}).cost).toBe(6);
  });

  it('sizes the lists directly inside a connection by its first, and counts the rest once', () => {
    expect(measure('{ page(first: 20) { total nodes { id } edges { cursor node { id } } } }').cost).toBe(
      1 + 1 + (1 + 20 * 1) + (1 + 20 * (1 + (1 + 1))),
    );
  });

  it('adds fragments on the same type and takes the dearest of those narrowing a union', () => {
    const query = `
      query { things { ...Named ... on Item { id parts { name } } ... on Part { name } } item(id: "1") { ...ItemId } }
      fragment Named on Part { name }
      fragment ItemId on Item { id owner { name } }`;
    // things: 1 + 10 × max(Item: 1 + 11, Part: 1 + 1); item: 1 + 1 + (1 + 1)
    expect(measure(query).cost).toBe(1 + 10 * 12 + (1 + 1 + 2));
  });

  it('measures nesting by data fields', () => {
    expect(measure('{ item(id: "1") { owner { item { owner { name } } } } }').depth).toBe(5);
  });

  it('makes introspection free and counts its passes through types’ fields', () => {
    expect(measure(getIntrospectionQuery())).toEqual({
      cost: 0,
      depth: 0,
      typeTraversals: 1,
      dependsOnVariables: false,
    });
    expect(
      measure('{ __type(name: "Item") { fields { type { ofType { fields { name } } } } } }'),
    ).toMatchObject({
      cost: 0,
      typeTraversals: 2,
    });
  });

  it('takes the most demanding operation of a document', () => {
    const query =
      'query Small { version } query Large { all { id } } subscription Deep { itemAdded { owner { name } } }';
    expect(measure(query)).toMatchObject({ cost: 11, depth: 3 });
  });

  it('survives a fragment that spreads itself (subscriptions arrive unvalidated)', () => {
    const query = '{ all { ...Cycle } } fragment Cycle on Item { id owner { item { ...Cycle } } }';
    expect(measure(query).cost).toBe(1 + 10 * (1 + (1 + (1 + 0))));
  });
});
