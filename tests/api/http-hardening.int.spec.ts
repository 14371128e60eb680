import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SECURITY_HEADERS } from '@caravan/runtime';
import { createApiApp } from '../../apps/api/src/api.app';
import { DOCS_CSP } from '../../apps/api/src/docs.controller';
import { appEnv, useTestDatabase } from '../harness';

const TOKEN = 'hardening-test-token-0123456789';

/** A self-signed certificate for 127.0.0.1 (openssl), its key, and a key that does not match it. */
function selfSigned(): { dir: string; cert: string; key: string; otherKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-http-tls-'));
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
  );
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other-key.pem']);
  return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), otherKey: join(dir, 'other-key.pem') };
}

/** GET over HTTPS trusting only `ca`: status and headers. */
function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw connection; resolves with what the server sent once it closed the connection. */
function rawConnection(port: number): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.on('error', () => undefined);
  return { socket, closed };
}

describe('the api, hardened: security headers on every answer, TLS of its own, timeouts for slow clients', () => {
  const db = useTestDatabase();
  const apps: INestApplication[] = [];
  let certificates: ReturnType<typeof selfSigned>;
  beforeAll(() => {
    certificates = selfSigned();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    rmSync(certificates.dir, { recursive: true, force: true });
  });
  async function start(extra: Record<string, string> = {}): Promise<{ app: INestApplication; port: number }> {
    const app = await createApiApp(appEnv(db().url, { ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'fatal', ...extra }));
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return { app, port: (app.getHttpServer().address() as { port: number }).port };
  }

  it('sends the security headers with every answer: JSON, errors, probes, metrics, the dashboard, /docs', async () => {
    const { port } = await start();
    const base = `http://127.0.0.1:${port}`;
    const answers: Array<[string, RequestInit?]> = [
      ['/v1/kpis'],
      ['/v1/kpis/series?kpi=arrivals&from=0000-01-01&to=0000-01-02'],
      ['/v1/admin/rejections'],
      ['/v1/admin/rejections', { headers: { authorization: `Bearer ${TOKEN}` } }],
      ['/no/such/route'],
      [`/v1/kpis?kpi=${'a'.repeat(5_000)}`],
      ['/health/live'],
      ['/health/ready'],
      ['/metrics'],
      ['/openapi.json'],
      ['/'],
      ['/docs'],
      ['/docs/init.js'],
      ['/docs/assets/swagger-ui.css'],
    ];
    for (const [path, init] of answers) {
      const response = await fetch(`${base}${path}`, init);
      await response.arrayBuffer();
      const headers = Object.fromEntries(Object.keys(SECURITY_HEADERS).map((h) => [h, response.headers.get(h)]));
      const csp = path === '/docs' ? DOCS_CSP : path === '/' ? expect.stringContaining("script-src 'self'") : undefined;
      expect({ path, status: response.status, headers }).toEqual({
        path,
        status: response.status,
        headers: { ...SECURITY_HEADERS, 'Content-Security-Policy': csp ?? SECURITY_HEADERS['Content-Security-Policy'] },
      });
      expect(response.headers.get('x-powered-by')).toBeNull();
      // Plain HTTP: no HSTS (it would pin browsers to an HTTPS this app does not serve).
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
    // The docs page runs no inline script: its start-up is a file of this origin.
    const page = await (await fetch(`${base}/docs`)).text();
    expect(page).not.toMatch(/<script>(?!<\/script>)/);
    expect(page).toMatch(/<script src="\/docs\/init.js"><\/script>/);
  });

  it('serves HTTPS from HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE, with HSTS; plain HTTP gets no answer', async () => {
    const { port } = await start({ HTTP_TLS_CERT_FILE: certificates.cert, HTTP_TLS_KEY_FILE: certificates.key });
    const ca = readFileSync(certificates.cert, 'utf8');
    const answer = await httpsGet(`https://127.0.0.1:${port}/health/live`, ca);
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('refuses to start with half a TLS setting, an unreadable file or a key that does not match, naming the variable', async () => {
    const attempts: Array<[Record<string, string>, RegExp]> = [
      [{ HTTP_TLS_CERT_FILE: certificates.cert }, /HTTP_TLS_KEY_FILE: TLS needs both/],
      [{ HTTP_TLS_KEY_FILE: certificates.key }, /HTTP_TLS_CERT_FILE: TLS needs both/],
      [
        { HTTP_TLS_CERT_FILE: '/nonexistent.pem', HTTP_TLS_KEY_FILE: certificates.key },
        /HTTP_TLS_CERT_FILE: cannot read/,
      ],
      [
        { HTTP_TLS_CERT_FILE: certificates.cert, HTTP_TLS_KEY_FILE: certificates.otherKey },
        /HTTP_TLS_KEY_FILE: .* cannot serve TLS/,
      ],
      [{ HTTP_IDLE_TIMEOUT_MS: '10000', API_STREAM_HEARTBEAT_MS: '15000' }, /HTTP_IDLE_TIMEOUT_MS: must exceed/],
    ];
    for (const [env, message] of attempts) await expect(start(env)).rejects.toThrow(message);
  });

  it('closes a connection that sends its headers too slowly, and one on which nothing moves', async () => {
    const { port } = await start({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_IDLE_TIMEOUT_MS: '3000',
      API_STREAM_HEARTBEAT_MS: '500',
    });
    // Slow loris: a header line now and then, never the end of the headers (each line keeps the
    // socket from idling; the headers timeout ends it, checked by Node every 30 s at most).
    const loris = rawConnection(port);
    loris.socket.write('GET /v1/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => loris.socket.write(`X-Drip: ${Date.now()}\r\n`), 500);
    const answered = await loris.closed.finally(() => clearInterval(drip));
    expect(answered).toMatch(/^HTTP\/1\.1 408 |^$/);

    // A connection that sends nothing at all.
    const silent = rawConnection(port);
    await expect(silent.closed).resolves.toBe('');

    // A live stream is not cut: its heartbeats move more often than the idle timeout.
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/v1/kpis/stream`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    // Eight heartbeats 500 ms apart span more than the 3 s idle timeout: the connection outlives it.
    let heartbeats = 0;
    let ended = false;
    while (heartbeats < 8 && !ended) {
      const { value, done } = await reader.read();
      ended = done;
      heartbeats += new TextDecoder().decode(value ?? new Uint8Array()).match(/^: heartbeat/gm)?.length ?? 0;
    }
    controller.abort();
    expect({ heartbeats, ended }).toEqual({ heartbeats: 8, ended: false });
  });
});
