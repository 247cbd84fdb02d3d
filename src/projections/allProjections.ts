import { connectorsProjection } from './connectors/connectorsProjection.js';
import { pipelinesProjection } from './pipelines/pipelinesProjection.js';
import type { Projection } from './projection.js';
import { usersProjection } from './users/usersProjection.js';

/** Every read model the platform keeps; the runner starts one projection for each. */
export const allProjections: readonly Projection[] = [
  pipelinesProjection,
  usersProjection,
  connectorsProjection,
];
