import { SetMetadata } from '@nestjs/common';
import type { AdminScope } from '@caravan/contract';

export const ADMIN_SCOPE = 'caravan:admin-scope';

/** The scope an admin route needs (AdminTokenGuard refuses a route without one). */
export const RequiresScope = (scope: AdminScope) => SetMetadata(ADMIN_SCOPE, scope);
