/** One consumed record, as the ingest path needs it. */
export type KafkaRecord = {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
};
