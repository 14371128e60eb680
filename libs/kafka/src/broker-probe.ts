import type { KafkaConnection } from '@caravan/config';
import { createKafka } from './kafka-client';
import { explainKafkaError } from './kafka-log';

export type ProbeResult = { ok: true; brokers: number; controller: number | null } | { ok: false; error: string };

/** One metadata round trip to the cluster, with no retries: answers "is a broker serving now?". */
export async function probeBrokers(connection: KafkaConnection, timeoutMs = 3_000): Promise<ProbeResult> {
  const admin = createKafka({
    ...connection,
    clientId: 'caravan-probe',
    connectionTimeout: timeoutMs,
    retries: 0,
    quiet: true,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { ok: true, brokers: cluster.brokers.length, controller: cluster.controller };
  } catch (error) {
    return { ok: false, error: explainKafkaError(error, connection) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
