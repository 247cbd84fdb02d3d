import type { IResolvers, MercuriusLoaders } from 'mercurius';
import { authorizeRootFields } from '../authorizeRootFields.js';
import { alertResolvers } from './alertResolvers.js';
import { auditResolvers } from './auditResolvers.js';
import { accountResolvers, authResolvers } from './authResolvers.js';
import { channelResolvers } from './channelResolvers.js';
import { connectorResolvers } from './connectorResolvers.js';
import { withConsistentWith } from './consistentWith.js';
import { metricsResolvers } from './metricsResolvers.js';
import { pipelineLoaders } from './pipelineLoaders.js';
import { pipelineResolvers } from './pipelineResolvers.js';
import { projectionResolvers } from './projectionResolvers.js';
import { runLoaders } from './runLoaders.js';
import { runResolvers } from './runResolvers.js';
import { searchResolvers } from './searchResolvers.js';
import { userResolvers } from './userResolvers.js';

/** The API's version, as `apiVersion` answers it. */
export const API_VERSION = '0.1.0';

const baseResolvers: IResolvers = {
  Query: { apiVersion: () => API_VERSION },
};

/**
 * Every area's resolvers, one module each (with its `src/api/schema/<area>.graphql`), merged
 * type by type. Two areas resolving the same field is a mistake, reported at start.
 */
const areas: IResolvers[] = [
  baseResolvers,
  pipelineResolvers,
  runResolvers,
  userResolvers,
  authResolvers,
  accountResolvers,
  connectorResolvers,
  alertResolvers,
  channelResolvers,
  auditResolvers,
  searchResolvers,
  projectionResolvers,
  metricsResolvers,
];

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

// Every Query field honours X-Consistent-With (read-your-writes); see consistentWith.ts.
// Every root field guarded by its action in fieldActions.ts, before waiting for read-your-writes.
export const resolvers = authorizeRootFields(withConsistentWith(mergeResolvers(areas)));

/**
 * Fields resolved through Mercurius loaders, batched per request (no query per parent), one
 * module per area as above. A field is a loader or a resolver, never both.
 */
const loaderAreas: MercuriusLoaders[] = [pipelineLoaders, runLoaders];

export const loaders = mergeResolvers(loaderAreas as IResolvers[]) as MercuriusLoaders;
// Merged once more only to fail at start when a field is both a loader and a resolver.
mergeResolvers([resolvers, loaders as IResolvers]);
