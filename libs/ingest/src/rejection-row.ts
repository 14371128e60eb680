/** A row of `rejections` as the relay and replays read it: the record's origin, its bytes, why it was refused. */
export type RejectionRow = {
  id: string;
  consumer_group: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  record_key: Buffer | null;
  record_value: Buffer | null;
  code: string;
  detail: string;
};
