import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@caravan/stack';
import { makeTestCertificates, type TestCertificates } from './secure-kafka';

const BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((dir) =>
  existsSync(join(dir, 'initdb')),
);

export type SecurePostgres = {
  /** postgres://postgres@127.0.0.1:<port>/postgres: only TLS connections are let in. */
  url: string;
  port: number;
  certificates: TestCertificates;
  /** The role a client certificate authenticates (its CN). */
  certificateUser: string;
  stop: () => void;
};

/**
 * A PostgreSQL server of the test's own (the machine's binaries, a temporary cluster on a free
 * port) that accepts only TLS: the test CA's certificate for 127.0.0.1, `hostssl` trust for
 * postgres, `cert` authentication for the client certificate's role, `hostnossl` rejected.
 * Run as the `postgres` user when the test runs as root (initdb refuses root).
 */
export async function startSecurePostgres(): Promise<SecurePostgres> {
  if (!BIN)
    throw new Error('no PostgreSQL server binaries (initdb) under /usr/lib/postgresql: apt-get install -y postgresql');
  const asRoot = userInfo().uid === 0;
  const certificates = makeTestCertificates('caravan-pg');
  const dir = mkdtempSync(join(tmpdir(), 'caravan-secure-pg-'));
  const data = join(dir, 'data');
  // The server's key must belong to the server's user and be readable by it alone.
  for (const name of ['broker.pem', 'broker.key', 'ca.pem'])
    copyFileSync(join(certificates.dir, name), join(dir, name));
  chmodSync(join(dir, 'broker.key'), 0o600);
  const run = (command: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : join(BIN, command),
      asRoot ? ['-u', 'postgres', '--', join(BIN, command), ...args] : args,
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    for (const path of [dir, join(dir, 'broker.pem'), join(dir, 'broker.key'), join(dir, 'ca.pem')])
      chownSync(path, Number(ids), Number(gid));
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const certificateUser = 'caravan-pg-client';
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${join(dir, 'broker.pem')}'`,
      `ssl_key_file = '${join(dir, 'broker.key')}'`,
      `ssl_ca_file = '${join(dir, 'ca.pem')}'`,
      'fsync = off',
      'max_connections = 60',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(data, 'pg_hba.conf'),
    [
      'local all all trust',
      `hostssl all ${certificateUser} 127.0.0.1/32 cert`,
      'hostssl all all 127.0.0.1/32 trust',
      'hostnossl all all 127.0.0.1/32 reject',
      '',
    ].join('\n'),
  );
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(certificates.dir, { recursive: true, force: true });
    }
  };
  try {
    run('psql', [
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      // What a DBA does before a non-superuser migrates (docs/security.md): the roles, and the
      // migrating user a member of the owner and the projector.
      `CREATE ROLE "${certificateUser}" LOGIN CREATEDB; ` +
        `CREATE ROLE caravan_owner NOLOGIN; CREATE ROLE caravan_ingest NOLOGIN; ` +
        `CREATE ROLE caravan_projector NOLOGIN; CREATE ROLE caravan_publisher NOLOGIN; ` +
        `CREATE ROLE caravan_api NOLOGIN; CREATE ROLE caravan_admin NOLOGIN; ` +
        `GRANT caravan_owner, caravan_projector TO "${certificateUser}"`,
    ]);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, certificates, certificateUser, stop };
}
