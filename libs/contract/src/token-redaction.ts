/** An admin token's shape as `caravan admin tokens create` prints it: cvn_tok_<8 hex>_<secret>. */
const TOKEN_SHAPE = /cvn_tok_[0-9a-f]{8}_[A-Za-z0-9_-]*/g;

/**
 * `text` with every admin token replaced wherever a client may have pasted one (a URL, a query, a
 * body), and the configured ADMIN_TOKEN too when given: what the logs and the audit trail record.
 */
export function redactTokens(text: string, adminToken?: string): string {
  return (adminToken ? text.split(adminToken).join('[redacted]') : text).replace(TOKEN_SHAPE, 'cvn_[redacted]');
}
