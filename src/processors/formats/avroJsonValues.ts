import type avro from 'avsc';
import { showValue } from '../transform/stepFailure.js';

/**
 * Between avsc's values and the plain JSON records the engine works on, in both directions:
 * - records: avsc reads them as class instances, which CEL refuses; they become plain objects;
 * - bytes and fixed: base64 strings (JSON has no bytes);
 * - long: a JS number (avsc's default; a value past ±2^53 fails to decode);
 * - logical types (timestamp-millis, date, decimal, ...): no logical type is registered, so a
 *   value reads as its underlying type: timestamp-millis is epoch milliseconds, a number;
 * - unions: a union avsc can tell apart by JSON kind (such as ["null", "string"]) is the bare
 *   value; an ambiguous one (two records) is wrapped as Avro's JSON encoding does, {"Name": {...}}.
 * Converters are built once per schema; a part of a schema that needs none is passed through.
 */
export interface AvroJsonValues {
  /** A decoded avsc value as plain JSON. */
  toJson(value: unknown): unknown;
  /** A JSON value as avsc encodes it; a value of the wrong kind is left for avsc to reject. */
  fromJson(value: unknown): unknown;
}

type Convert = (value: unknown) => unknown;

interface TypeParts {
  fields?: readonly { name: string; type: avro.Type }[];
  itemsType?: avro.Type;
  valuesType?: avro.Type;
  types?: readonly avro.Type[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

const BYTES = new Set(['bytes', 'fixed']);
const STRINGS = new Set(['string', 'enum']);

const toBase64: Convert = (value) => (Buffer.isBuffer(value) ? value.toString('base64') : value);
const fromBase64: Convert = (value) => (typeof value === 'string' ? Buffer.from(value, 'base64') : value);

/** The converter for `type`, or undefined when its values need none. */
const converterOf = (type: avro.Type, toJson: boolean): Convert | undefined => {
  const parts = type as unknown as TypeParts;
  const kind = type.typeName;
  if (BYTES.has(kind)) return toJson ? toBase64 : fromBase64;
  if (kind === 'record' || kind === 'error') {
    const fields = (parts.fields ?? []).map((field) => ({
      name: field.name,
      convert: converterOf(field.type, toJson),
    }));
    if (!toJson && fields.every((field) => field.convert === undefined)) return undefined;
    return (value) => {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = toJson ? {} : { ...value };
      for (const { name, convert } of fields) {
        if (!toJson && value[name] === undefined) continue;
        out[name] = convert === undefined ? value[name] : convert(value[name]);
      }
      return out;
    };
  }
  if (kind === 'array') {
    const convert = converterOf(parts.itemsType!, toJson);
    return convert && ((value) => (Array.isArray(value) ? value.map(convert) : value));
  }
  if (kind === 'map') {
    const convert = converterOf(parts.valuesType!, toJson);
    return (
      convert &&
      ((value) =>
        isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)])) : value)
    );
  }
  if (kind === 'union:wrapped') return wrappedUnion(parts.types ?? [], toJson);
  if (kind === 'union:unwrapped') return unwrappedUnion(parts.types ?? [], toJson);
  return undefined;
};

const wrappedUnion = (types: readonly avro.Type[], toJson: boolean): Convert | undefined => {
  const branches = new Map(
    types.map((type) => [type.branchName ?? type.typeName, converterOf(type, toJson)]),
  );
  return (value) => {
    if (!isObject(value)) return value;
    const [branch, ...others] = Object.keys(value);
    const convert = branch === undefined || others.length > 0 ? undefined : branches.get(branch);
    return convert === undefined ? (toJson ? { ...value } : value) : { [branch!]: convert(value[branch!]) };
  };
};

// An unwrapped union holds at most one branch per JSON kind, so the value's kind picks it.
const unwrappedUnion = (types: readonly avro.Type[], toJson: boolean): Convert | undefined => {
  const of = (kinds: readonly string[]) => types.find((type) => kinds.includes(type.typeName));
  const bytes = of(['bytes', 'fixed']);
  const hasString = types.some((type) => STRINGS.has(type.typeName));
  const array = of(['array']);
  const object = of(['record', 'error', 'map']);
  const convertArray = array && converterOf(array, toJson);
  const convertObject = object && converterOf(object, toJson);
  if (!bytes && !convertArray && !convertObject) return undefined;
  return (value) => {
    if (bytes && (toJson ? Buffer.isBuffer(value) : typeof value === 'string' && !hasString)) {
      return toJson ? toBase64(value) : fromBase64(value);
    }
    if (Array.isArray(value)) return convertArray ? convertArray(value) : value;
    if (isObject(value)) return convertObject ? convertObject(value) : value;
    return value;
  };
};

export const createAvroJsonValues = (type: avro.Type): AvroJsonValues => {
  const identity: Convert = (value) => value;
  return {
    toJson: converterOf(type, true) ?? identity,
    fromJson: converterOf(type, false) ?? identity,
  };
};

/** Why a value does not fit its Avro type, for an `isValid` error hook: `"abc" is not a double`. */
export const describeAvroProblem = (found: unknown, expected: avro.Type): string => {
  const branches = (expected as unknown as TypeParts).types;
  const wanted =
    branches === undefined
      ? `${/^[aeiou]/.test(expected.typeName) ? 'an' : 'a'} ${expected.name ?? expected.typeName}`
      : `one of ${branches.map((branch) => branch.branchName ?? branch.typeName).join(', ')}`;
  return found === undefined ? `is missing, expected ${wanted}` : `${showValue(found)} is not ${wanted}`;
};
