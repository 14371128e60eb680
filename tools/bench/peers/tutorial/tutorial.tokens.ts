/** Explicit injection tokens: tsx (esbuild) emits no decorator metadata, so injection by type would see `undefined`. */
export const PG_POOL = Symbol('PG_POOL');
export const TUTORIAL_SETTINGS = Symbol('TUTORIAL_SETTINGS');
export const ON_HANDLED = Symbol('ON_HANDLED');

export type TutorialTopics = { bookings: string; arrivals: string; media: string };

export type TutorialSettings = {
  brokers: string[];
  topics: TutorialTopics;
  databaseUrl: string;
  timeZone: string;
  clientId: string;
  groupId: string;
  expectedRecords: number;
};

/** Called after every handled message with the running count. */
export type OnHandled = (handled: number) => void;
