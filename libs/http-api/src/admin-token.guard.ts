import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import type { AdminScope } from '@caravan/contract';
import { noteAudit } from './admin-auth/admin-audit.service';
import { AdminIdentities } from './admin-auth/admin-identities.service';
import { ADMIN_SCOPE } from './admin-auth/admin-scope.decorator';
import { bearerToken } from './admin-auth/admin-token';
import { auditTarget } from './admin-auth/audit-target';
import { TokenBuckets } from './admin-auth/token-bucket';

/**
 * Admin routes need `Authorization: Bearer <token>`: a named token of `caravan admin tokens` with
 * the route's scope, or ADMIN_TOKEN (every scope). Requests are limited per token (per client
 * address without a valid one, to slow guessing) to ADMIN_RATE_LIMIT_PER_MINUTE in this process.
 * Who and what go to the request's audit note whatever the answer.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly buckets: TokenBuckets;

  constructor(
    @Inject(CONFIG) config: CaravanConfig,
    private readonly identities: AdminIdentities,
    private readonly reflector: Reflector,
  ) {
    this.buckets = new TokenBuckets(config.api.adminRateLimitPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const scope = this.reflector.get<AdminScope | undefined>(ADMIN_SCOPE, context.getHandler());
    const identity = await this.identities.identify(bearerToken(req.headers.authorization));
    noteAudit(req, {
      tokenId: identity?.tokenId ?? null,
      action: `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`,
      target: auditTarget({ params: req.params, query: req.query, body: req.body as unknown }),
    });
    const wait = this.buckets.take(identity ? `token:${identity.tokenId}` : `address:${req.ip ?? ''}`);
    if (wait > 0) {
      http.getResponse<Response>().setHeader('Retry-After', String(wait));
      throw new HttpException(`too many admin requests: retry in ${wait} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    if (!identity) throw new UnauthorizedException('a valid admin bearer token is required');
    // A route without a declared scope is a defect: closed rather than open to every token.
    if (!scope || !identity.scopes.includes(scope))
      throw new ForbiddenException(`token ${identity.tokenId} lacks the scope ${scope ?? '(none declared)'}`);
    return true;
  }
}
