import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { CONFIG, type CaravanConfig } from '@caravan/config';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time; without
 * ADMIN_TOKEN they are closed.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: CaravanConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.api.adminToken;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Digests have one length whatever the input, so the comparison time tells nothing.
    if (!expected || !timingSafeEqual(digest(given), digest(expected)))
      throw new UnauthorizedException('a valid admin bearer token is required');
    return true;
  }
}
