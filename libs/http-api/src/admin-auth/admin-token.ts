import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A named token's public id: shown in lists, logs and the audit trail. */
export const TOKEN_ID = /^tok_[0-9a-f]{8}$/;
/** The id of ADMIN_TOKEN, the development/bootstrap token of the configuration. */
export const ENV_TOKEN_ID = 'env';

const TOKEN = /^cvn_(tok_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** A token as handed out once: `cvn_<id>_<secret>`, the secret 32 random bytes in base64url. */
export type IssuedToken = { id: string; token: string; secretHash: Buffer };

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export function issueToken(): IssuedToken {
  const id = `tok_${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `cvn_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a `cvn_…` token; undefined for anything else (ADMIN_TOKEN is checked apart). */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

/** Whether `secret` hashes to `expected`, in time that does not depend on where they differ. */
export function secretMatches(secret: string, expected: Buffer): boolean {
  const given = hashSecret(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `Authorization: Bearer <token>`'s token, or '' . */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
}

/** A token's text replaced wherever it may have been pasted, so it is never recorded (one rule with the logs). */
export { redactTokens } from '@caravan/contract';
