import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { ADMIN_SCOPES, type AdminScope } from '@caravan/contract';
import { PG_POOL } from '@caravan/database';
import { ENV_TOKEN_ID, hashSecret, parseToken, secretMatches } from './admin-token';
import { type ActiveToken, activeAdminTokens, touchAdminToken } from './admin-tokens';

/** Who an admin request comes from: a token id, never the token, and what it may do. */
export type AdminIdentity = { tokenId: string; scopes: readonly AdminScope[] };

/** How long the tokens read from PostgreSQL are trusted: a created or revoked token takes effect within it. */
export const TOKEN_CACHE_MS = 5_000;
/** last_used_at is written at most this often per token (and api instance): not one write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The admin tokens: ADMIN_TOKEN (id `env`, every scope) and the named tokens of PostgreSQL, read
 * through the admin pool (the api's read-only pool cannot write last_used_at) at most every
 * TOKEN_CACHE_MS, so every api instance sees a token created or revoked within seconds.
 */
@Injectable()
export class AdminIdentities {
  private readonly logger = new Logger('AdminTokens');
  private cache: { readAt: number; tokens: Map<string, ActiveToken> } | undefined;
  private loading: Promise<Map<string, ActiveToken>> | undefined;
  private readonly touched = new Map<string, number>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /** The identity of a bearer token, or undefined when it is none the api accepts. */
  async identify(bearer: string): Promise<AdminIdentity | undefined> {
    if (!bearer) return undefined;
    const envToken = this.config.api.adminToken;
    // Digests have one length whatever the input, so the comparison time tells nothing.
    if (envToken && timingSafeEqual(hashSecret(bearer), hashSecret(envToken)))
      return { tokenId: ENV_TOKEN_ID, scopes: ADMIN_SCOPES };
    const parsed = parseToken(bearer);
    if (!parsed) return undefined;
    const token = (await this.tokens()).get(parsed.id);
    if (!token || !secretMatches(parsed.secret, token.secretHash)) return undefined;
    this.touch(token.id);
    return { tokenId: token.id, scopes: token.scopes };
  }

  private async tokens(): Promise<Map<string, ActiveToken>> {
    if (this.cache && Date.now() - this.cache.readAt < TOKEN_CACHE_MS) return this.cache.tokens;
    // One read at a time, shared by the requests that wait for it.
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<Map<string, ActiveToken>> {
    const readAt = Date.now();
    const tokens = new Map((await activeAdminTokens(this.pool)).map((t) => [t.id, t]));
    this.cache = { readAt, tokens };
    return tokens;
  }

  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? -Infinity) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    touchAdminToken(this.pool, id).catch((error: unknown) =>
      this.logger.warn(`could not note that ${id} was used: ${(error as Error).message}`),
    );
  }
}
