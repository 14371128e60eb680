/** A readiness check: resolves a detail when fine, throws why not. */
export type ReadinessCheck = () => Promise<string | void>;

const checks = new Map<string, ReadinessCheck>();

/**
 * Checks that a part of one app adds to that app's readiness (the ingestor: is ingesting failing?),
 * beside the checks every app runs; process-wide, like the metrics registry.
 */
export const readinessChecks = {
  register(name: string, check: ReadinessCheck): void {
    checks.set(name, check);
  },
  unregister(name: string): void {
    checks.delete(name);
  },
  all(): Array<[string, ReadinessCheck]> {
    return [...checks];
  },
};
