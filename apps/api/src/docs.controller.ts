import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument } from '@caravan/http-api';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Caravan API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body></html>`;

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
  page(): string {
    return PAGE;
  }
}
