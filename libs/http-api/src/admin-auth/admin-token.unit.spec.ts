import { bearerToken, hashSecret, issueToken, parseToken, redactTokens, secretMatches } from './admin-token';

describe('admin tokens: cvn_<id>_<secret>', () => {
  it('issues a token whose id and secret parse back, and keeps only the hash of the secret', () => {
    const issued = issueToken();
    expect(issued.id).toMatch(/^tok_[0-9a-f]{8}$/);
    expect(issued.token).toMatch(/^cvn_tok_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(issued.token);
    expect(parsed?.id).toBe(issued.id);
    expect(secretMatches(parsed?.secret ?? '', issued.secretHash)).toBe(true);
    expect(issued.secretHash.equals(hashSecret(parsed?.secret ?? ''))).toBe(true);
    expect(issued.secretHash.toString('latin1')).not.toContain(parsed?.secret);
  });

  it('issues a different token each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => issueToken().token));
    expect(tokens.size).toBe(50);
  });

  it.each([
    '',
    'cvn_tok_0011aabb',
    'cvn_tok_0011aabb_short',
    'cvn_tok_0011AABB_' + 'a'.repeat(43),
    'cvx_tok_0011aabb_' + 'a'.repeat(43),
    'cvn_tok_0011aabb_' + 'a'.repeat(44),
    'cvn_tok_0011aabb_' + 'a'.repeat(42) + '=',
    'some-legacy-admin-token-value',
  ])('does not take %j for a named token', (text) => {
    expect(parseToken(text)).toBeUndefined();
  });

  it('takes a secret with - and _ in it (base64url)', () => {
    const secret = `_-${'a'.repeat(41)}`;
    expect(parseToken(`cvn_tok_0011aabb_${secret}`)).toEqual({ id: 'tok_0011aabb', secret });
  });

  it('refuses a secret that does not hash to the stored hash', () => {
    const issued = issueToken();
    const secret = parseToken(issued.token)?.secret ?? '';
    expect(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`, issued.secretHash)).toBe(false);
    expect(secretMatches(secret, Buffer.alloc(16))).toBe(false);
  });

  it('reads the bearer token of an Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBe('');
    expect(bearerToken(undefined)).toBe('');
  });

  it('redacts a token pasted into text', () => {
    const { token } = issueToken();
    expect(redactTokens(`?q=${token}&x=1`)).toBe('?q=cvn_[redacted]&x=1');
  });
});
