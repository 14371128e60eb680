import { classifyPgError, describePgError } from './pg-errors';

describe('classifyPgError', () => {
  it.each([
    ['57P01', 'transient'], // admin_shutdown: pg_terminate_backend, a restart
    ['08006', 'transient'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['53300', 'transient'],
    ['55P03', 'transient'],
    ['57014', 'transient'], // statement_timeout
    ['22021', 'data'], // U+0000 in text
    ['22P05', 'data'], // \u0000 in jsonb
    ['22008', 'data'], // date out of range
    ['22003', 'data'], // bigint overflow
    ['23514', 'data'],
    ['54000', 'data'],
    ['42P01', 'fault'], // a missing table is no record's fault
    ['42501', 'fault'],
    ['XX000', 'fault'],
  ])('SQLSTATE %s is %s', (code, kind) => {
    expect(classifyPgError(Object.assign(new Error('x'), { code }))).toBe(kind);
  });

  it('takes lost and refused connections for transient, other errors for faults', () => {
    expect(classifyPgError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(
      classifyPgError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe('transient');
    expect(classifyPgError(new Error('timeout exceeded when trying to connect'))).toBe('transient');
    expect(classifyPgError(new TypeError('x is undefined'))).toBe('fault');
    expect(classifyPgError(undefined)).toBe('fault');
  });

  it('describes the server reason in one line', () => {
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(describePgError(error)).toBe('[22021] invalid byte sequence for encoding "UTF8": 0x00');
    expect(describePgError(Object.assign(new Error('m'), { code: '23514', detail: 'Failing row contains (1).' }))).toBe(
      '[23514] m (Failing row contains (1).)',
    );
  });
});
