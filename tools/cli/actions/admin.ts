import { type AdminTokenInfo, createAdminToken, listAdminTokens, readAudit, revokeAdminToken } from '@caravan/http-api';
import type { AuditOptions, ListingOptions, TokensCreateOptions } from '../commands/admin';
import { CliError } from '../support/cli-error';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';

const when = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

/** `caravan admin tokens create`: the token on a line of its own, shown this once. */
export async function createToken(options: TokensCreateOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'admin', async (pool) => {
    const created = await createAdminToken(pool, options.name, options.scopes);
    if ('refused' in created) throw new CliError(created.refused, 2);
    log(`created ${created.info.id} (${created.info.name}) with scopes ${created.info.scopes.join(', ')}`);
    log('the token (shown this once, only its hash is kept; send it as Authorization: Bearer <token>):');
    log(created.token);
  });
}

/** `caravan admin tokens list`. */
export async function listTokens(options: ListingOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'admin', async (pool) => {
    const tokens = await listAdminTokens(pool);
    if (options.json) return log(JSON.stringify(tokens));
    log(row(['id', 'name', 'scopes', 'created', 'last used', 'revoked']));
    for (const t of tokens) log(row(describe(t)));
    log(`${tokens.length} token(s), ${tokens.filter((t) => !t.revokedAt).length} active`);
  });
}

const row = (cells: string[]): string =>
  cells
    .map((c, i) => c.padEnd([12, 20, 20, 21, 21, 0][i] ?? 0))
    .join(' ')
    .trimEnd();
const describe = (t: AdminTokenInfo): string[] => [
  t.id,
  t.name,
  t.scopes.join(','),
  when(t.createdAt),
  when(t.lastUsedAt),
  when(t.revokedAt),
];

/** `caravan admin tokens revoke <id|name>`. */
export async function revokeToken(idOrName: string): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'admin', async (pool) => {
    const revoked = await revokeAdminToken(pool, idOrName);
    if ('refused' in revoked) throw new CliError(revoked.refused, 2);
    log(`revoked ${revoked.id} (${revoked.name}); every api refuses it within 5 s`);
  });
}

/** `caravan admin audit`: newest first. */
export async function showAudit(options: AuditOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'admin', async (pool) => {
    const rows = await readAudit(pool, options.limit);
    if (options.json) return log(JSON.stringify(rows));
    for (const r of rows)
      log(
        `${when(r.at)} ${(r.tokenId ?? '-').padEnd(12)} ${r.outcome} ${r.action} ${JSON.stringify(r.target)}` +
          (r.detail ? `: ${r.detail}` : ''),
      );
    log(`${rows.length} admin request(s)`);
  });
}
