import { loadConfig } from '@caravan/config';
import { requestOf, type RequestRow } from './request';
import { executorSettings } from './request-executor';

const row = (over: Partial<RequestRow> = {}): RequestRow => ({
  id: '6f1c2a3b-0000-4000-8000-000000000001',
  kind: 'rebuild',
  arguments: { projection: 'bookings', swap: true },
  status: 'requested',
  progress: '0',
  result: null,
  error: null,
  requested_by: 'api',
  requested_at: new Date('2026-12-01T08:00:00Z'),
  claimed_by: null,
  claimed_at: null,
  attempt: 0,
  updated_at: new Date('2026-12-01T08:00:00Z'),
  finished_at: null,
  ...over,
});

describe('a request as read from admin_requests', () => {
  it('has its progress as a number, its arguments parsed for its kind, and no nulls', () => {
    expect(requestOf(row({ progress: '12345', status: 'running', claimed_by: 'projector@h:1' }))).toEqual({
      id: '6f1c2a3b-0000-4000-8000-000000000001',
      kind: 'rebuild',
      arguments: { projection: 'bookings', swap: true },
      status: 'running',
      progress: 12345,
      result: undefined,
      error: undefined,
      requestedBy: 'api',
      requestedAt: new Date('2026-12-01T08:00:00Z'),
      claimedBy: 'projector@h:1',
      claimedAt: undefined,
      attempt: 0,
      updatedAt: new Date('2026-12-01T08:00:00Z'),
      finishedAt: undefined,
    });
    expect(requestOf(row({ kind: 'replay', arguments: { code: 'schema', limit: 5 } })).arguments).toEqual({
      code: 'schema',
      limit: 5,
    });
  });

  it('refuses arguments that are not its kind', () => {
    expect(() => requestOf(row({ kind: 'replay' }))).toThrow();
    expect(() => requestOf(row({ arguments: { projection: 'bookings' } }))).toThrow();
  });
});

describe("an executor's settings", () => {
  const settings = (idle: string) =>
    executorSettings(loadConfig('projector', { DATABASE_IDLE_TIMEOUT_MS: idle }), 'projector');

  it('keeps its session busy well within the idle timeout, and names it for advisoryLockHolders', () => {
    expect(settings('10000').pingMs).toBe(2_000);
    expect(settings('1500').pingMs).toBe(500);
    expect(settings('0').pingMs).toBe(2_000);
    expect(settings('10000').connection.application_name).toBe(`caravan-projector-requests-${process.pid}`);
    expect(settings('10000').instance).toMatch(new RegExp(`^projector@.+:${process.pid}$`));
  });
});
