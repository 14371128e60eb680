import type { ClientBase } from 'pg';
import { withTransaction } from './transaction';

/**
 * The PostgreSQL roles migration 0018 creates (docs/security.md): group roles a deployment grants
 * to each app's login user.
 */
export const DATABASE_ROLES = {
  owner: 'caravan_owner',
  ingest: 'caravan_ingest',
  projector: 'caravan_projector',
  publisher: 'caravan_publisher',
  api: 'caravan_api',
  admin: 'caravan_admin',
} as const;
export type DatabaseRole = (typeof DATABASE_ROLES)[keyof typeof DATABASE_ROLES];

/**
 * Runs `work` in a transaction as `role` when the session's user may be it (a member, the role
 * itself, a superuser), so that the tables it creates belong to the role, not to whichever login
 * user runs the app: the next projector, under another login, can write and rebuild them. A user
 * that may not (an older setup without the roles' memberships) runs it as itself.
 */
export async function asRole<T, C extends ClientBase>(
  client: C,
  role: DatabaseRole,
  work: (client: C) => Promise<T>,
): Promise<T> {
  return withTransaction(client, async () => {
    const { rows } = await client.query<{ member: boolean }>(
      `SELECT to_regrole($1) IS NOT NULL AND pg_has_role(session_user, $1, 'MEMBER') AS member`,
      [role],
    );
    if (rows[0]?.member) await client.query(`SET LOCAL ROLE ${role}`);
    return work(client);
  });
}
