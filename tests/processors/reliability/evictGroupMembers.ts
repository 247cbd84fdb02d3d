import { Kafka, logLevel } from 'kafkajs';

interface GroupCoordinator {
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<GroupCoordinator>;
}

/**
 * Removes a dead process's members from a consumer group, as the coordinator does once their
 * session times out. A SIGKILLed consumer never leaves its group, and with kafkajs' 30 s session
 * every later join waits for that timeout: ten kills would cost five minutes of waiting. The
 * group then goes through the same rebalance it would after the timeout, only sooner.
 *
 * kafkajs sends LeaveGroup only for its own member, so its cluster (a private field of the
 * client) sends it here on the dead member's behalf. Returns how many members were removed.
 */
export const evictGroupMembers = async (brokers: string[], groupId: string, clientId: string) => {
  const kafka = new Kafka({ brokers, clientId: 'tributary-test-evictor', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const memberIds = (groups[0]?.members ?? [])
      .filter((member) => member.clientId === clientId)
      .map((member) => member.memberId);
    if (memberIds.length === 0) return 0;
    const cluster = createCluster(kafka);
    await cluster.connect();
    try {
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      for (const memberId of memberIds) await coordinator.leaveGroup({ groupId, memberId });
    } finally {
      await cluster.disconnect();
    }
    return memberIds.length;
  } finally {
    await admin.disconnect();
  }
};

const createCluster = (kafka: Kafka): Cluster => {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  const create = key && (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function') throw new Error('this kafkajs version has no private createCluster');
  return create({ allowAutoTopicCreation: false }) as Cluster;
};
