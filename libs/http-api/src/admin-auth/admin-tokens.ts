import type { Pool } from 'pg';
import { type AdminScope, ADMIN_SCOPES } from '@caravan/contract';
import { issueToken } from './admin-token';

/** A named token as ops see it: never its secret, nor its hash. */
export type AdminTokenInfo = {
  id: string;
  name: string;
  scopes: AdminScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};
/** A token the api accepts: its id, scopes and the hash of its secret. */
export type ActiveToken = { id: string; scopes: AdminScope[]; secretHash: Buffer };

/** A unique_violation of `constraint`. */
const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === constraint;

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The expected failures of create and revoke, as values. */
export type TokenRefusal = { refused: string };

/**
 * Creates a token: its text (`cvn_<id>_<secret>`), to show once, and its record. An id already
 * taken (one in 2^32) draws another.
 */
export async function createAdminToken(
  pool: Pool,
  name: string,
  scopes: readonly AdminScope[],
): Promise<{ token: string; info: AdminTokenInfo } | TokenRefusal> {
  if (!TOKEN_NAME.test(name) || name.startsWith('tok_'))
    return { refused: `name ${name}: 1 to 64 letters, digits, ., _ or -, not starting with tok_` };
  if (scopes.length === 0 || scopes.some((s) => !ADMIN_SCOPES.includes(s)))
    return { refused: `scopes: one or more of ${ADMIN_SCOPES.join(', ')}` };
  for (let attempt = 0; ; attempt++) {
    const issued = issueToken();
    try {
      const { rows } = await pool.query<AdminTokenInfo>(
        `INSERT INTO admin_tokens (id, name, scopes, secret_hash) VALUES ($1, $2, $3, $4)
         RETURNING ${INFO_COLUMNS}`,
        [issued.id, name, [...new Set(scopes)], issued.secretHash],
      );
      return { token: issued.token, info: rows[0] as AdminTokenInfo };
    } catch (error) {
      if (isUniqueViolation(error, 'admin_tokens_name_key')) return { refused: `a token named ${name} exists` };
      if (!isUniqueViolation(error, 'admin_tokens_pkey') || attempt >= 3) throw error;
    }
  }
}

const INFO_COLUMNS = `id, name, scopes, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** Every named token, revoked ones included (they stay for the audit trail), oldest first. */
export async function listAdminTokens(pool: Pool): Promise<AdminTokenInfo[]> {
  const { rows } = await pool.query<AdminTokenInfo>(`SELECT ${INFO_COLUMNS} FROM admin_tokens ORDER BY created_at, id`);
  return rows;
}

/** Revokes a token by id or name: the api stops taking it within its cache period (5 s). */
export async function revokeAdminToken(pool: Pool, idOrName: string): Promise<AdminTokenInfo | TokenRefusal> {
  const { rows } = await pool.query<AdminTokenInfo>(
    `UPDATE admin_tokens SET revoked_at = now() WHERE (id = $1 OR name = $1) AND revoked_at IS NULL
     RETURNING ${INFO_COLUMNS}`,
    [idOrName],
  );
  if (rows[0]) return rows[0];
  const known = await pool.query<AdminTokenInfo>(
    `SELECT ${INFO_COLUMNS} FROM admin_tokens WHERE id = $1 OR name = $1`,
    [idOrName],
  );
  const token = known.rows[0];
  return token
    ? { refused: `${token.id} (${token.name}) was revoked already, at ${token.revokedAt?.toISOString()}` }
    : { refused: `no token with id or name ${idOrName}` };
}

/** The tokens the api accepts (not revoked), with the hashes it compares with. */
export async function activeAdminTokens(pool: Pool): Promise<ActiveToken[]> {
  const { rows } = await pool.query<ActiveToken>(
    `SELECT id, scopes, secret_hash AS "secretHash" FROM admin_tokens WHERE revoked_at IS NULL`,
  );
  return rows;
}

/** Notes that a token was used (the api calls it at most once a minute per token). */
export async function touchAdminToken(pool: Pool, id: string): Promise<void> {
  await pool.query(`UPDATE admin_tokens SET last_used_at = now() WHERE id = $1`, [id]);
}
