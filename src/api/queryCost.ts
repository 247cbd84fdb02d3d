import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryCostOptions {
  /** How many items a list of objects is assumed to hold when nothing says how many. */
  defaultListSize: number;
}

/** What a document asks for, measured on its most demanding operation. */
export interface QueryCost {
  cost: number;
  /** Nesting of data fields; introspection is measured by `typeTraversals` instead. */
  depth: number;
  /** Most lists of a type's fields (or input fields, interfaces, possible types) on one introspection path. */
  typeTraversals: number;
  /** Whether a variable's value went into the cost: such a cost holds for these variables only. */
  dependsOnVariables: boolean;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
  variableDefaults: Map<string, number>;
  options: QueryCostOptions;
  /** Fragments being expanded on the current path: subscriptions reach us unvalidated, cycles included. */
  expanding: Set<string>;
  dependsOnVariables: boolean;
  typeTraversals: number;
}

interface Measure {
  cost: number;
  depth: number;
}

/**
 * An estimate of the work a query asks for, roughly the number of values it resolves: every
 * field costs 1, and a field returning a list of objects costs 1 plus its selection times the
 * number of items: the `first` argument (given, or its default), else `defaultListSize`. A
 * `first` on a field that returns one object (a connection) sizes the lists directly inside
 * it, so `edges` and `nodes` are counted as a page and `pageInfo` once. Lists of scalars are
 * one value. Fragments on the parent type add up; fragments narrowing to different types of a
 * union take the dearest, since each item is one type. `@skip` and `@include` are not
 * evaluated, so the estimate errs high.
 *
 * Introspection (`__schema`, `__type`) reads the schema held in memory and costs nothing, but
 * its answer multiplies by the schema's size each time a path goes through a type's fields
 * again (`fields { type { fields ...`), so those traversals are counted for the caller to cap.
 * Its nesting is not part of `depth`: GraphiQL's own introspection query is 15 deep.
 *
 * A document's figures are those of its most demanding operation: the caller does not say
 * which one runs.
 */
export const queryCost = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  options: QueryCostOptions,
): QueryCost => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const result: QueryCost = { cost: 0, depth: 0, typeTraversals: 0, dependsOnVariables: false };
  for (const operation of operations) {
    const root = schema.getRootType(operation.operation);
    if (!root) continue;
    const walk: Walk = {
      schema,
      fragments,
      variables: variables ?? {},
      variableDefaults: variableDefaults(operation),
      options,
      expanding: new Set(),
      dependsOnVariables: false,
      typeTraversals: 0,
    };
    const measure = selectionCost(walk, operation.selectionSet, root, undefined);
    result.cost = Math.max(result.cost, measure.cost);
    result.depth = Math.max(result.depth, measure.depth);
    result.typeTraversals = Math.max(result.typeTraversals, walk.typeTraversals);
    result.dependsOnVariables ||= walk.dependsOnVariables;
  }
  return result;
};

const selectionCost = (
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  pageSize: number | undefined,
): Measure => {
  let cost = 0;
  let depth = 0;
  const narrowed = new Map<string, number>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = fieldCost(walk, selection, parentType, pageSize);
      cost += field.cost;
      depth = Math.max(depth, field.depth);
      continue;
    }
    const fragment = fragmentOf(walk, selection);
    const typeName = fragment?.typeCondition?.name.value ?? parentType.name;
    const type = typeName === parentType.name ? parentType : walk.schema.getType(typeName);
    if (!fragment || !isCompositeType(type)) continue;
    const measure = expand(walk, selection, { cost: 0, depth: 0 }, () =>
      selectionCost(walk, fragment.selectionSet, type, pageSize),
    );
    depth = Math.max(depth, measure.depth);
    if (type === parentType) cost += measure.cost;
    else narrowed.set(type.name, (narrowed.get(type.name) ?? 0) + measure.cost);
  }
  return { cost: cost + Math.max(0, ...narrowed.values()), depth };
};

const fieldCost = (
  walk: Walk,
  node: FieldNode,
  parentType: GraphQLCompositeType,
  pageSize: number | undefined,
): Measure => {
  const name = node.name.value;
  if (name === '__schema' || name === '__type') {
    if (node.selectionSet) {
      walk.typeTraversals = Math.max(walk.typeTraversals, typeTraversals(walk, node.selectionSet));
    }
    return { cost: 0, depth: 0 };
  }
  const field =
    isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
  const itemType = field && getNamedType(field.type);
  if (!field || !node.selectionSet || !isCompositeType(itemType)) return { cost: 1, depth: 1 };
  const first = firstArgument(walk, node, field);
  if (isListType(getNullableType(field.type))) {
    const items = first ?? pageSize ?? walk.options.defaultListSize;
    const each = selectionCost(walk, node.selectionSet, itemType, undefined);
    return { cost: 1 + items * each.cost, depth: 1 + each.depth };
  }
  const inner = selectionCost(walk, node.selectionSet, itemType, first);
  return { cost: 1 + inner.cost, depth: 1 + inner.depth };
};

// The fields of __Type that list other types' members: going through one inside another
// multiplies the answer by the size of the schema.
const TYPE_TRAVERSALS = new Set(['fields', 'inputFields', 'interfaces', 'possibleTypes']);

/** The most type traversals on one path through an introspection selection. */
const typeTraversals = (walk: Walk, selectionSet: SelectionSetNode): number => {
  let most = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const own = TYPE_TRAVERSALS.has(selection.name.value) ? 1 : 0;
      const inner = selection.selectionSet ? typeTraversals(walk, selection.selectionSet) : 0;
      most = Math.max(most, own + inner);
      continue;
    }
    const fragment = fragmentOf(walk, selection);
    if (!fragment) continue;
    const inner = expand(walk, selection, 0, () => typeTraversals(walk, fragment.selectionSet));
    most = Math.max(most, inner);
  }
  return most;
};

const fragmentOf = (walk: Walk, selection: Exclude<SelectionNode, FieldNode>) =>
  selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments.get(selection.name.value);

/** Runs `measure` inside a fragment; a spread already being expanded on this path counts `none`. */
const expand = <T>(
  walk: Walk,
  selection: Exclude<SelectionNode, FieldNode>,
  none: T,
  measure: () => T,
): T => {
  if (selection.kind === Kind.INLINE_FRAGMENT) return measure();
  const name = selection.name.value;
  if (walk.expanding.has(name)) return none;
  walk.expanding.add(name);
  try {
    return measure();
  } finally {
    walk.expanding.delete(name);
  }
};

/** The page size a field asks for, when it takes `first`: the argument, else its default. */
const firstArgument = (walk: Walk, node: FieldNode, field: GraphQLField<unknown, unknown>) => {
  const definition = field.args.find((arg) => arg.name === 'first');
  if (!definition) return undefined;
  const value = node.arguments?.find((arg) => arg.name.value === 'first')?.value;
  let first: unknown = definition.defaultValue;
  if (value?.kind === Kind.INT) first = Number(value.value);
  if (value?.kind === Kind.VARIABLE) {
    walk.dependsOnVariables = true;
    first = walk.variables[value.name.value] ?? walk.variableDefaults.get(value.name.value) ?? first;
  }
  return typeof first === 'number' && Number.isFinite(first) ? Math.max(0, Math.ceil(first)) : undefined;
};

const variableDefaults = (operation: OperationDefinitionNode) => {
  const defaults = new Map<string, number>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue?.kind === Kind.INT)
      defaults.set(definition.variable.name.value, Number(definition.defaultValue.value));
  }
  return defaults;
};
