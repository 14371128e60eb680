import type { Pool } from 'pg';

/** One admin request as the audit trail keeps it. */
export type AuditEntry = {
  /** When the request came in (rows are written when it is answered, not necessarily in that order). */
  at: Date;
  /** The token's id (`tok_…`, or `env` for ADMIN_TOKEN); null when no valid token was given. */
  tokenId: string | null;
  /** Method and route pattern, e.g. `POST /v1/admin/projections/:name/rebuild`. */
  action: string;
  /** Path parameters, and the query and body summarised: never record contents, never a token. */
  target: Record<string, unknown>;
  /** The HTTP status answered (499: the client went away first). */
  outcome: number;
  detail: string | null;
};
export type AuditRow = AuditEntry & { id: string };

export async function appendAudit(pool: Pool, entry: AuditEntry): Promise<void> {
  await pool.query(
    `INSERT INTO admin_audit (at, token_id, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
    [entry.at, entry.tokenId, entry.action, JSON.stringify(entry.target), entry.outcome, entry.detail],
  );
}

/** The latest `limit` requests, newest first. */
export async function readAudit(pool: Pool, limit: number): Promise<AuditRow[]> {
  const { rows } = await pool.query<AuditRow>(
    `SELECT id::text, at, token_id AS "tokenId", action, target, outcome, detail
     FROM admin_audit ORDER BY at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
