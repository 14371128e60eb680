import { scopeKey, scopeOfKey, snapshotKey } from './snapshot-key';

describe('snapshot keys', () => {
  it('write the whole market as * and a scope as its pairs, sorted', () => {
    expect(scopeKey({})).toBe('*');
    expect(scopeKey({ market: 'CN', destination: 'almaty' })).toBe('destination=almaty,market=CN');
    expect(snapshotKey('arrivals', 'ytd', { nationality: 'CN' })).toBe('arrivals|ytd|nationality=CN');
  });

  it('read a scope key back into its scope', () => {
    expect(scopeOfKey('*')).toEqual({});
    expect(scopeOfKey('market=CN')).toEqual({ market: 'CN' });
    expect(scopeKey(scopeOfKey('market=CN,destination=almaty'))).toBe('destination=almaty,market=CN');
  });
});
