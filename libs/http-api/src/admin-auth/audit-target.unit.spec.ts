import { issueToken } from './admin-token';
import { auditTarget } from './audit-target';

describe('auditTarget', () => {
  it('keeps path parameters and short query values', () => {
    expect(auditTarget({ params: { name: 'bookings' }, query: { code: 'schema', limit: '50' } })).toEqual({
      params: { name: 'bookings' },
      query: { code: 'schema', limit: '50' },
    });
  });

  it('counts lists and only names nested objects of a body (no contents)', () => {
    expect(auditTarget({ body: { ids: ['1', '2', '3'], code: 'schema', limit: 10, data: { secret: 'x' } } })).toEqual({
      body: { ids: '[3 items]', code: 'schema', limit: 10, data: '{…}' },
    });
  });

  it('leaves out what is empty or not an object', () => {
    expect(auditTarget({ params: {}, query: {}, body: 'text' })).toEqual({});
  });

  it('redacts a token pasted into a value and cuts long values', () => {
    const { token } = issueToken();
    const target = auditTarget({ query: { q: token, long: 'x'.repeat(500) } });
    expect(JSON.stringify(target)).not.toContain(token.slice(18));
    expect(target).toEqual({ query: { q: 'cvn_[redacted]', long: 'x'.repeat(100) } });
  });
});
