/** The tables a tutorial would create: the events as JSON, and one daily aggregate per event family. */
export const TUTORIAL_DDL = [
  `CREATE TABLE events (
     event_id uuid PRIMARY KEY, type text NOT NULL, occurred_at timestamptz NOT NULL, payload jsonb NOT NULL)`,
  `CREATE TABLE arrivals_daily (
     day date NOT NULL, nationality text NOT NULL, port text NOT NULL, purpose text NOT NULL, destination text NOT NULL,
     travelers bigint NOT NULL, PRIMARY KEY (day, nationality, port, purpose, destination))`,
  `CREATE TABLE bookings_daily (
     day date NOT NULL, market text NOT NULL, destination text NOT NULL, channel text NOT NULL,
     bookings bigint NOT NULL, gross_usd_cents bigint NOT NULL, PRIMARY KEY (day, market, destination, channel))`,
  `CREATE TABLE media_daily (
     day date NOT NULL, platform text NOT NULL, campaign text NOT NULL, market text NOT NULL,
     views bigint NOT NULL, PRIMARY KEY (day, platform, campaign, market))`,
];
