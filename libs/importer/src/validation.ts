import { validateRecord, type ValidationContext } from '@caravan/contract';
import type { ImportOptions } from './import-types';

const anyCurrency = (): boolean => true;

/** The pipeline's checks as far as they need no I/O: the clock and the rates come from the options. */
export function validationContextOf(options: ImportOptions): ValidationContext {
  return { nowMs: options.nowMs ?? Date.now(), hasRate: options.hasRate ?? anyCurrency };
}

/** Why the pipeline would reject `value`, as `code: detail`; undefined when it would accept it. */
export function problemOf(value: Uint8Array, context: ValidationContext, reason?: string): string | undefined {
  const result = validateRecord(value, context);
  if (result.ok) return undefined;
  // The code stays the pipeline's, so counts by code match the DLQ; the importer's reason, when it has one, says more.
  return `${result.rejection.code}: ${reason ?? result.rejection.detail}`;
}
