import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument } from '@caravan/http-api';

/** No inline script: the page loads Swagger UI and its start-up script from this origin. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Caravan API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });\n`;

/**
 * The interactive page's policy: scripts and styles from this origin only; Swagger UI sets style
 * attributes (hence 'unsafe-inline' for styles, never for scripts) and draws icons from data: URLs.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

@Controller()
export class DocsController {
  private readonly document = openApiDocument();

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }

  /** The interactive page (Swagger UI, served from the swagger-ui-dist package: no network needed). */
  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCS_CSP)
  page(): string {
    return PAGE;
  }

  @Get('docs/init.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }
}
