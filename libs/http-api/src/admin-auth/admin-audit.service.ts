import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { adminAuditFailures, adminRequestsUnrecorded } from '@caravan/observability';
import { type AuditEntry, appendAudit } from './admin-audit';
import { redactTokens } from './admin-token';
import { auditTarget } from './audit-target';

/** What is known of an admin request as it goes: the guard adds who and what, the error filter why it failed. */
type AuditNote = Partial<Pick<AuditEntry, 'at' | 'tokenId' | 'action' | 'target' | 'detail'>>;
const notes = new WeakMap<Request, AuditNote>();

/** Adds to an admin request's audit note; a request that is not audited has none and is left alone. */
export function noteAudit(request: Request, note: AuditNote): void {
  const current = notes.get(request);
  if (current) notes.set(request, { ...current, ...note });
}

/**
 * One audit row (admin_audit) and one log line per admin request, whatever it answered: written
 * when the response closes, so neither a guard that refuses nor a handler that throws skips it.
 * A row that cannot be written is logged and counted (caravan_admin_audit_failures_total); the
 * answer has gone already and stays as it was.
 */
@Injectable()
export class AdminAudit {
  private readonly logger = new Logger('AdminAudit');

  /** When each client (token id or address) last had a refusal of the rate limit recorded. */
  private readonly refusalsRecorded = new Map<string, number>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    for (const reason of ['not_found', 'rate_limited']) adminRequestsUnrecorded.inc({ reason }, 0);
  }

  /** Token-shaped text and the configured ADMIN_TOKEN, wherever a client put them (a query, a path). */
  private redact(text: string): string {
    return redactTokens(text, this.config.api.adminToken);
  }

  /**
   * Whether a request gets a row: an admin action does, allowed or refused; a path no route has
   * does not (anyone can send those, unlimited), nor a client's further rate-limit refusals within
   * a minute of one recorded (a flood would fill an append-only table). Both are logged and counted.
   */
  private recordable(entry: AuditEntry, routed: boolean, client: string): boolean {
    if (!routed) {
      adminRequestsUnrecorded.inc({ reason: 'not_found' });
      return false;
    }
    if (entry.outcome !== 429) return true;
    const now = Date.now();
    const last = this.refusalsRecorded.get(client);
    if (last !== undefined && now - last < 60_000) {
      adminRequestsUnrecorded.inc({ reason: 'rate_limited' });
      return false;
    }
    if (this.refusalsRecorded.size >= 10_000) this.refusalsRecorded.clear();
    this.refusalsRecorded.set(client, now);
    return true;
  }

  /** Express middleware for the admin routes (mounted before the router: 404s under them count too). */
  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      notes.set(req, { at: new Date() });
      // finish: the answer is sent; close without it: the client went away first. Once either way
      // ('close' of a kept-alive connection may come much later).
      let recorded = false;
      const record = () => {
        if (recorded) return;
        recorded = true;
        void this.record(req, res);
      };
      res.once('finish', record);
      res.once('close', record);
      next();
    };
  }

  private async record(req: Request, res: Response): Promise<void> {
    const note = notes.get(req) ?? {};
    const entry: AuditEntry = {
      at: note.at ?? new Date(),
      tokenId: note.tokenId ?? null,
      // No route matched: the path as asked (a token pasted into it redacted).
      action: note.action ?? `${req.method} ${this.redact(req.originalUrl.split('?')[0] ?? '')}`,
      target: JSON.parse(
        this.redact(JSON.stringify(note.target ?? auditTarget({ query: req.query, body: req.body as unknown }))),
      ) as AuditEntry['target'],
      // 499: the client went away before the answer was sent.
      outcome: res.writableFinished ? res.statusCode : 499,
      detail: note.detail ?? null,
    };
    const line = { msg: 'admin request', audit: entry };
    const recorded = this.recordable(entry, note.action !== undefined, entry.tokenId ?? req.ip ?? 'unknown');
    if (entry.outcome < 400) this.logger.log(line);
    else if (recorded) this.logger.warn(line);
    else this.logger.debug?.(line);
    if (!recorded) return;
    try {
      await appendAudit(this.pool, entry);
    } catch (error) {
      adminAuditFailures.inc();
      this.logger.error({
        msg: `the audit row of an admin request could not be written: ${(error as Error).message}`,
        audit: entry,
      });
    }
  }
}
