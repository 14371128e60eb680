import { runCheck } from './run-check';

const never = () => new Promise<string>(() => undefined);
const failing = () => Promise.reject(new Error('relation "kpi_latest" does not exist'));

describe('runCheck', () => {
  it('gives a check that answers in time as up, with its detail', async () => {
    expect(await runCheck({ check: async () => 'caught up' }, 50)).toEqual({ status: 'up', detail: 'caught up' });
    expect(await runCheck({ check: async () => undefined }, 50)).toEqual({ status: 'up' });
  });

  it('gives a check that fails or does not answer in time as down, with why', async () => {
    expect(await runCheck({ check: never }, 20)).toEqual({ status: 'down', detail: 'no answer within 20 ms' });
    expect(await runCheck({ check: failing }, 20)).toEqual({
      status: 'down',
      detail: 'relation "kpi_latest" does not exist',
    });
  });
});
