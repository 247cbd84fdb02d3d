/**
 * Where a sink record came from, in one header: `tributary-lineage:
 * <pipelineId>:<version>:<topic>/<partition>/<offset>`. One header rather than three, because
 * kafkajs encodes every header of every record on its own: three cost a processor about a
 * quarter of its throughput (bench:processors). Topic names hold no ':' or '/', pipeline ids
 * are UUIDs, so the value splits unambiguously. Dead letters keep separate headers instead
 * (`tributary-pipeline-id`, `tributary-pipeline-version`, `tributary-source`): they are few,
 * and operators read them one by one.
 */
export const LINEAGE_HEADER = 'tributary-lineage';

export interface Lineage {
  pipelineId: string;
  version: number;
  topic: string;
  partition: number;
  offset: number;
}

/** The header value, from the part that is the same for a whole batch and the record's place. */
export const lineagePrefix = (pipelineId: string, version: number, topic: string, partition: number) =>
  `${pipelineId}:${version}:${topic}/${partition}/`;

/** Reads a `tributary-lineage` value; null when it is not one. */
export const parseLineage = (value: string | undefined): Lineage | null => {
  const match = value?.match(/^([^:]+):(\d+):([^/:]+)\/(\d+)\/(\d+)$/);
  if (!match) return null;
  const [, pipelineId, version, topic, partition, offset] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    pipelineId,
    version: Number(version),
    topic,
    partition: Number(partition),
    offset: Number(offset),
  };
};
