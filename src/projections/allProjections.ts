import type { Config } from '../config.js';
import { alertsProjection } from './alerts/alertsProjection.js';
import { auditProjection } from './audit/auditProjection.js';
import { channelsProjection } from './channels/channelsProjection.js';
import { connectorsProjection } from './connectors/connectorsProjection.js';
import { DEFAULT_METRICS_RETENTION } from './metrics/metricGranularity.js';
import { createMetricsProjection } from './metrics/metricsProjection.js';
import { pipelinesProjection } from './pipelines/pipelinesProjection.js';
import type { Projection } from './projection.js';
import { runsProjection } from './runs/runsProjection.js';
import { searchProjection } from './search/searchProjection.js';
import { usersProjection } from './users/usersProjection.js';

/** Every read model the platform keeps; the runner starts one projection for each. */
export const allProjections: readonly Projection[] = [
  pipelinesProjection,
  runsProjection,
  usersProjection,
  connectorsProjection,
  alertsProjection,
  channelsProjection,
  auditProjection,
  searchProjection,
  createMetricsProjection(DEFAULT_METRICS_RETENTION),
];

/** Every read model, with the settings the config gives them (the metrics' retention). */
export const projectionsWith = (config: Pick<Config, 'metricsRetention'>): readonly Projection[] =>
  allProjections.map((projection) =>
    projection.name === 'metrics' ? createMetricsProjection(config.metricsRetention) : projection,
  );
