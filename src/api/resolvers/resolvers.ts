import type { IResolvers } from 'mercurius';
import { pipelineResolvers } from './pipelineResolvers.js';

/** The API's version, as `apiVersion` answers it. */
export const API_VERSION = '0.1.0';

const baseResolvers: IResolvers = {
  Query: { apiVersion: () => API_VERSION },
};

/**
 * Every area's resolvers, one module each (with its `src/api/schema/<area>.graphql`), merged
 * type by type. Two areas resolving the same field is a mistake, reported at start.
 */
const areas: IResolvers[] = [baseResolvers, pipelineResolvers];

export const mergeResolvers = (parts: readonly IResolvers[]): IResolvers => {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const part of parts) {
    for (const [typeName, fields] of Object.entries(part)) {
      const target = merged[typeName] ?? {};
      merged[typeName] = target;
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`Two resolvers for ${typeName}.${field}`);
        target[field] = resolver;
      }
    }
  }
  return merged as IResolvers;
};

export const resolvers = mergeResolvers(areas);
