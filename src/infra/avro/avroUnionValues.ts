import avro from 'avsc';
import type { AvroSchemaSource } from './avroSchemaFiles.js';

/**
 * Plain values for unions of several records. A domain value carries no branch name (a step is
 * a map step or a filter step by its fields), but avsc can only tell such branches apart when a
 * value is wrapped, `{ "tributary.events.FilterStep": {...} }`, and decodes them wrapped. So the
 * codec wraps on the way in and unwraps on the way out, and its callers see domain shapes:
 *
 * - A value goes to the first branch it fits exactly: the branch accepts it, and (for a record)
 *   every field the value has is one of the branch's, so no field is silently dropped.
 * - Where a value could fit several branches, its record field declares a discriminator in the
 *   schema, `"tributary.branchBy": { "field": "kind", "branches": { "<kind>": "<type>" } }`: a
 *   sibling field whose value names the branch. Other Avro readers ignore the attribute; the
 *   branch index in the data is what they read.
 * - A value already wrapped (as `Type.random()` makes them) is written as it is.
 *
 * Unions avsc keeps unwrapped (null or one record, string or record) need none of this, but the
 * values inside them are walked, since a record there may hold a wrapped union.
 */
export interface AvroUnionValues {
  /** `value` as avsc writes it: the unions of records wrapped. Invalid parts are left for validation to report. */
  toAvro(type: avro.Type, value: unknown): unknown;
  /** A value avsc read, with the unions of records unwrapped and records as plain objects. */
  fromAvro(type: avro.Type, value: unknown): unknown;
}

export const BRANCH_BY = 'tributary.branchBy';

interface BranchBy {
  field: string;
  branches: Record<string, string>;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

const mapValues = (value: Fields, map: (entry: unknown) => unknown): Fields =>
  Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, map(entry)]));

/** Plain values for the types of `sources`, picking branches by the discriminators they declare. */
export const createAvroUnionValues = (sources: readonly AvroSchemaSource[]): AvroUnionValues => {
  // By `<record full name>.<field name>`.
  const branchBy = new Map<string, BranchBy>();
  for (const { origin, schema } of sources) collectBranchBy(schema, undefined, origin, branchBy);

  /** The branch `value` fits and the value as that branch writes it, or undefined when none fits. */
  const pick = (branches: readonly avro.Type[], value: unknown) => {
    for (const branch of branches) {
      if (branch.typeName === 'null') continue;
      if (branch instanceof avro.types.RecordType) {
        if (!isObject(value)) continue;
        const declared = new Set(branch.fields.map((field) => field.name));
        if (!Object.keys(value).every((key) => declared.has(key) || value[key] === undefined)) continue;
      }
      const written = toAvro(branch, value);
      if (branch.isValid(written)) return { branch, written };
    }
    return undefined;
  };

  const toUnionBy = (union: avro.Type, value: unknown, by: BranchBy, record: Fields): unknown => {
    if (!(union instanceof avro.types.WrappedUnionType) || union.isValid(value)) return toAvro(union, value);
    const name = by.branches[String(record[by.field])];
    const branch = union.types.find((candidate) => candidate.branchName === name);
    // An unknown discriminator stays unwrapped, so validation reports the field.
    return branch === undefined ? value : { [branch.branchName!]: toAvro(branch, value) };
  };

  const toAvro = (type: avro.Type, value: unknown): unknown => {
    if (value === null || value === undefined) return value;
    if (type instanceof avro.types.WrappedUnionType) {
      if (type.isValid(value)) return value;
      const picked = pick(type.types, value);
      return picked === undefined ? value : { [picked.branch.branchName!]: picked.written };
    }
    if (type instanceof avro.types.UnwrappedUnionType) return pick(type.types, value)?.written ?? value;
    if (type instanceof avro.types.RecordType) {
      if (!isObject(value)) return value;
      const written: Fields = {};
      for (const field of type.fields) {
        const fieldValue = value[field.name];
        if (fieldValue === undefined) continue;
        const by = branchBy.get(`${type.name}.${field.name}`);
        written[field.name] =
          by === undefined ? toAvro(field.type, fieldValue) : toUnionBy(field.type, fieldValue, by, value);
      }
      return written;
    }
    if (type instanceof avro.types.ArrayType) {
      return Array.isArray(value) ? value.map((item) => toAvro(type.itemsType, item)) : value;
    }
    if (type instanceof avro.types.MapType) {
      return isObject(value)
        ? mapValues(value, (entry) => toAvro(type.valuesType as avro.Type, entry))
        : value;
    }
    return value;
  };

  const fromAvro = (type: avro.Type, value: unknown): unknown => {
    if (value === null || value === undefined) return value;
    if (type instanceof avro.types.WrappedUnionType) {
      const [name] = Object.keys(value as Fields);
      const branch = type.types.find((candidate) => candidate.branchName === name);
      return branch === undefined ? value : fromAvro(branch, (value as Fields)[name!]);
    }
    if (type instanceof avro.types.UnwrappedUnionType) {
      // Unwrapped, a union holds at most one branch per kind of JavaScript value.
      const branch = type.types.find((candidate) =>
        Array.isArray(value)
          ? candidate instanceof avro.types.ArrayType
          : isObject(value) &&
            (candidate instanceof avro.types.RecordType || candidate instanceof avro.types.MapType),
      );
      return branch === undefined ? value : fromAvro(branch, value);
    }
    if (type instanceof avro.types.RecordType) {
      const record = value as Fields;
      return Object.fromEntries(
        type.fields.map((field) => [field.name, fromAvro(field.type, record[field.name])]),
      );
    }
    if (type instanceof avro.types.ArrayType) {
      return (value as unknown[]).map((item) => fromAvro(type.itemsType, item));
    }
    if (type instanceof avro.types.MapType) {
      return mapValues(value as Fields, (entry) => fromAvro(type.valuesType as avro.Type, entry));
    }
    return value;
  };

  return { toAvro, fromAvro };
};

// Walks a schema as written, resolving record names as Avro does (a dotted name is full; else
// the record's own namespace, or the enclosing one), to find the fields that declare BRANCH_BY.
const collectBranchBy = (
  schema: unknown,
  namespace: string | undefined,
  origin: string,
  found: Map<string, BranchBy>,
): void => {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectBranchBy(branch, namespace, origin, found);
    return;
  }
  if (!isObject(schema)) return;
  const { type } = schema;
  if (type === 'record' || type === 'error') {
    const name = String(schema.name);
    const own = typeof schema.namespace === 'string' ? schema.namespace : namespace;
    const fullName = name.includes('.') || !own ? name : `${own}.${name}`;
    const inner = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
    for (const field of (schema.fields ?? []) as Fields[]) {
      const by = field[BRANCH_BY];
      if (by !== undefined) found.set(`${fullName}.${String(field.name)}`, assertBranchBy(by, origin, field));
      collectBranchBy(field.type, inner, origin, found);
    }
  } else if (type === 'array') {
    collectBranchBy(schema.items, namespace, origin, found);
  } else if (type === 'map') {
    collectBranchBy(schema.values, namespace, origin, found);
  } else if (typeof type === 'object') {
    collectBranchBy(type, namespace, origin, found);
  }
};

const assertBranchBy = (by: unknown, origin: string, field: Fields): BranchBy => {
  const valid =
    isObject(by) &&
    typeof by.field === 'string' &&
    isObject(by.branches) &&
    Object.values(by.branches).every((branch) => typeof branch === 'string');
  if (!valid) {
    throw new Error(
      `invalid Avro schema ${origin}: ${BRANCH_BY} of field ${String(field.name)} must be { field, branches: { value: type name } }`,
    );
  }
  return by as unknown as BranchBy;
};
