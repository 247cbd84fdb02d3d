import type { EnrichStep } from '../../domain/pipelines/pipelineDefinition.js';
import { celErrorSummary, compileCelExpression, toJsonValue } from './celExpression.js';
import type { CompiledStep } from './compiledStep.js';
import { createLookup, LookupDataError, type TransformDependencies } from './enrichLookups.js';
import type { JsonRecord } from './jsonRecord.js';
import { createLookupCache, type LookupResult } from './lookupCache.js';
import { StepFailure, type StepLocation } from './stepFailure.js';

export interface EnrichOptions {
  /** A lookup slower than this fails the record as retryable; the client may still finish it. */
  timeoutMs?: number;
  /** Cached keys per step at most. */
  maxCacheEntries?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_CACHE_ENTRIES = 10_000;

// A key as the store sees it: a string as it is, anything else as its JSON text.
const keyText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const withTimeout = <T>(work: Promise<T>, timeoutMs: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

/**
 * Looks a value up by a key computed from the record and puts it in `into`. A cache hit
 * answers synchronously, so only misses cost the pipeline a promise. The cached value is JSON
 * text, parsed for every record, so no two records share one object.
 */
export const compileEnrichStep = (
  step: EnrichStep,
  at: StepLocation,
  dependencies: TransformDependencies,
  options: EnrichOptions = {},
): CompiledStep => {
  const program = compileCelExpression(step.key);
  const lookup = createLookup(step.lookup, dependencies);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cache = createLookupCache({
    ttlMs: step.cacheTtlMs,
    maxEntries: options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const load = (key: string) => withTimeout(lookup(key), timeoutMs);

  const apply = (record: JsonRecord, key: string, found: LookupResult): JsonRecord => {
    if (found === null) return missing(record, key);
    let value: unknown;
    try {
      value = JSON.parse(found);
    } catch (error) {
      throw new StepFailure(at, `the value for key ${JSON.stringify(key)} is not JSON`, { cause: error });
    }
    return { ...record, [step.into]: value };
  };

  const missing = (record: JsonRecord, key: string | null): JsonRecord => {
    switch (step.onMissing) {
      case 'null':
        return { ...record, [step.into]: null };
      case 'skip':
        return record;
      case 'fail':
        throw new StepFailure(at, `nothing found for key ${key === null ? 'null' : JSON.stringify(key)}`);
      default:
        return step.onMissing satisfies never;
    }
  };

  const failed = (key: string, error: unknown): never => {
    const detail = `lookup of key ${JSON.stringify(key)} failed: ${(error as Error)?.message ?? String(error)}`;
    throw new StepFailure(at, detail, { retryable: !(error instanceof LookupDataError), cause: error });
  };

  return {
    async: true,
    run(record) {
      let keyValue: unknown;
      try {
        keyValue = toJsonValue(program(record));
      } catch (error) {
        throw new StepFailure(at, `key ${step.key}: ${celErrorSummary(error)}`, { cause: error });
      }
      if (keyValue === null) return missing(record, null);
      const key = keyText(keyValue);
      let found: LookupResult | Promise<LookupResult>;
      try {
        found = cache.get(key, load);
      } catch (error) {
        return failed(key, error);
      }
      if (typeof found === 'string' || found === null) return apply(record, key, found);
      return found.then(
        (result) => apply(record, key, result),
        (error: unknown) => failed(key, error),
      );
    },
    close() {
      cache.clear();
    },
  };
};
