import { Environment } from '@marcbachmann/cel-js';
import type { JsonRecord } from './jsonRecord.js';

/**
 * One environment for every expression, built once: building one is costly, parsing against
 * it is not. A record's top-level fields are the expression's variables, so any name is `dyn`.
 *
 * JSON has one number type, which CEL reads as `double`, while CEL's integer literals are
 * `int`, and CEL has no mixed arithmetic: `amount * 100` would fail for every record. The
 * mixed operators below make it work as a user expects (the result is a double), without
 * converting every field to a bigint on the hot path. Comparisons already mix types.
 */
const createEnvironment = (): Environment => {
  const environment = new Environment({ unlistedVariablesAreDyn: true });
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
  };
  for (const [operator, apply] of Object.entries(arithmetic)) {
    environment.registerOperator(`double ${operator} int`, (a: number, b: bigint) => apply(a, Number(b)));
    environment.registerOperator(`int ${operator} double`, (a: bigint, b: number) => apply(Number(a), b));
  }
  return environment;
};

let shared: Environment | undefined;

/** A compiled expression: its raw CEL value for a record. Throws what cel-js throws. */
export type CelProgram = (record: JsonRecord) => unknown;

/**
 * Parses `expression` once; the program then evaluates it per record, with the record itself
 * as the variables (no copy). User text is only ever interpreted by CEL, never run as JS.
 */
export const compileCelExpression = (expression: string): CelProgram => {
  shared ??= createEnvironment();
  const program = shared.parse(expression);
  return (record) => program(record);
};

/** The short reason of a CEL evaluation error, without cel-js's source highlighting. */
export const celErrorSummary = (error: unknown): string => {
  const summary = (error as { summary?: unknown }).summary;
  if (typeof summary === 'string') return summary;
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
};

/**
 * A CEL value as JSON can hold it: ints (bigints) become numbers, timestamps ISO-8601
 * strings, bytes base64. Throws an Error saying why for a value JSON cannot hold (an int past
 * ±2^53, NaN, infinity, a duration or a type).
 */
export const toJsonValue = (value: unknown): unknown => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw new Error(`gave ${value}, which JSON cannot hold`);
    case 'bigint':
      if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
        return Number(value);
      }
      throw new Error(`gave ${value}, beyond ±2^53 where JSON numbers stay exact`);
    case 'object':
      return objectToJson(value);
    default:
      throw new Error(`gave a ${typeof value}, which JSON cannot hold`);
  }
};

const objectToJson = (value: object | null): unknown => {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Map) {
    const out: JsonRecord = {};
    for (const [key, item] of value) out[String(key)] = toJsonValue(item);
    return out;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const out: JsonRecord = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item);
    return out;
  }
  throw new Error(`gave a ${value.constructor?.name ?? 'value'}, which JSON cannot hold`);
};
