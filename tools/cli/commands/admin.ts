import { type Command, InvalidArgumentError } from 'commander';
import { ADMIN_SCOPES, type AdminScope } from '@caravan/contract';
import { numberOption } from '../support/options';

export type TokensCreateOptions = { name: string; scopes: AdminScope[] };
export type ListingOptions = { json?: boolean };
export type AuditOptions = { limit: number; json?: boolean };

/** The implementation (PostgreSQL), loaded when a command runs, not for --help. */
const implementation = (): typeof import('../actions/admin') => require('../actions/admin');

/** A commander parser for `read,replay`: known scopes, at least one. */
function scopesOption(value: string): AdminScope[] {
  const scopes = value.split(',').map((s) => s.trim());
  const unknown = scopes.filter((s) => !(ADMIN_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`expected a comma-separated list of ${ADMIN_SCOPES.join(', ')}`);
  return [...new Set(scopes)] as AdminScope[];
}

/**
 * `caravan admin tokens create|list|revoke` and `caravan admin audit`: the admin API's named tokens
 * (kept in PostgreSQL, hashed; the api takes a change within 5 s) and its audit trail.
 */
export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description("the admin API's tokens and its audit trail");
  const tokens = admin
    .command('tokens')
    .description(`named admin tokens with scopes (${ADMIN_SCOPES.join(', ')}); the api takes a change within 5 s`);
  tokens
    .command('create')
    .description('create a token and print it once (only its hash is kept), with its id')
    .requiredOption('--name <name>', 'a unique name: who or what uses it (letters, digits, . _ -)')
    .requiredOption(
      '--scopes <scopes>',
      `what it may do, comma-separated: read (lists, counters, replay status), replay, rebuild ` +
        `(and rebuild status); one or more of ${ADMIN_SCOPES.map((s) => `"${s}"`).join(', ')}`,
      scopesOption,
    )
    .action(async (options: TokensCreateOptions) => implementation().createToken(options));
  tokens
    .command('list')
    .description('every token: id, name, scopes, created, last used, revoked (never the secret)')
    .option('--json', 'as a JSON array')
    .action(async (options: ListingOptions) => implementation().listTokens(options));
  tokens
    .command('revoke')
    .description('revoke a token: every api refuses it within 5 s (it stays listed, for the audit trail)')
    .argument('<token>', 'its id (tok_…) or name')
    .action(async (token: string) => implementation().revokeToken(token));
  admin
    .command('audit')
    .description('the latest admin requests, newest first: when, token id, action, target, outcome')
    .option('--limit <n>', 'at most', numberOption(1, 10_000), 50)
    .option('--json', 'as a JSON array')
    .action(async (options: AuditOptions) => implementation().showAudit(options));
}
