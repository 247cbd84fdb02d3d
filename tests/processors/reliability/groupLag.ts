import type { Log } from '../../../src/infra/log/log.js';

/** How many records of the topic the group has yet to commit, over all partitions. */
export const groupLag = async (log: Log, groupId: string, topic: string): Promise<number> => {
  const [committed, end] = await Promise.all([log.committedOffsets(groupId, topic), log.endOffsets(topic)]);
  return [...end].reduce((lag, [partition, offset]) => lag + offset - (committed.get(partition) ?? 0), 0);
};

/**
 * Polls until the group has committed the whole topic, and returns the lag it reached: 0, or
 * what was left at the timeout. The topic's producers must have finished (its end is fixed).
 */
export const waitUntilCaughtUp = async (
  log: Log,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  let lag = await groupLag(log, groupId, topic);
  while (lag > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    lag = await groupLag(log, groupId, topic);
  }
  return lag;
};
