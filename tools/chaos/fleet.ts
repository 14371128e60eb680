/**
 * The apps of a chaos run as processes (several instances of some), each restarted after a kill
 * the way an orchestrator's restart policy would, so that the run measures how long the pipeline
 * takes to heal, not whether someone started it again.
 */
import type { AppName } from '@caravan/config';
import { type ChildApp, freePort, spawnApp } from '@caravan/stack';
import { currentRssMb } from '../bench/process-stats';

export type Instance = {
  name: string;
  app: AppName;
  port: number;
  child: ChildApp | undefined;
  restarts: number;
  frozen: boolean;
};

const RESTART_DELAY_MS = 1_000;

export class Fleet {
  readonly instances: Instance[] = [];
  private stopping = false;

  constructor(
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
  ) {}

  async add(app: AppName, count: number): Promise<void> {
    for (let i = 1; i <= count; i++)
      this.instances.push({
        name: `${app}-${i}`,
        app,
        port: await freePort(),
        child: undefined,
        restarts: 0,
        frozen: false,
      });
  }

  startAll(): void {
    for (const instance of this.instances) this.start(instance);
  }

  /** Starts one more instance of `app` now (a publisher while Kafka is away), kept until the end. */
  async startExtra(app: AppName): Promise<Instance> {
    const instance: Instance = {
      name: `${app}-${this.instances.filter((i) => i.app === app).length + 1}`,
      app,
      port: await freePort(),
      child: undefined,
      restarts: 0,
      frozen: false,
    };
    this.instances.push(instance);
    this.start(instance);
    return instance;
  }

  of(app: AppName): Instance[] {
    return this.instances.filter((i) => i.app === app);
  }

  /** kill -9; the fleet starts it again after a second (the restart policy). */
  kill(instance: Instance): void {
    instance.child?.process.kill('SIGKILL');
  }

  freeze(instance: Instance): void {
    instance.frozen = true;
    instance.child?.process.kill('SIGSTOP');
  }

  thaw(instance: Instance): void {
    instance.child?.process.kill('SIGCONT');
    instance.frozen = false;
  }

  /** Every instance running (not frozen) answers ready. */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(this.instances.map((i) => this.ready(i)));
    return answers.every(Boolean);
  }

  async ready(instance: Instance): Promise<boolean> {
    if (!instance.child || instance.child.process.exitCode !== null || instance.child.process.signalCode !== null)
      return false;
    const response = await fetch(`http://127.0.0.1:${instance.port}/health/ready`, {
      signal: AbortSignal.timeout(3_000),
    }).catch(() => undefined);
    return response?.status === 200;
  }

  /** Each running instance's resident set now (MiB), by instance name. */
  rss(): Record<string, number> {
    return Object.fromEntries(
      this.instances.flatMap((i) => (i.child?.process.pid ? [[i.name, currentRssMb(i.child.process.pid)]] : [])),
    );
  }

  get restarts(): number {
    return this.instances.reduce((n, i) => n + i.restarts, 0);
  }

  /** Log files of every instance (for a failed run). */
  logs(): string[] {
    return this.instances.flatMap((i) => (i.child ? [`${i.name}: ${i.child.logFile}`] : []));
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.instances.map(async (i) => {
        const child = i.child;
        if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
        child.process.kill('SIGCONT');
        child.process.kill('SIGTERM');
        const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
        await child.exited;
        clearTimeout(timer);
      }),
    );
  }

  private start(instance: Instance): void {
    if (this.stopping) return;
    const child = spawnApp(instance.app, { ...this.env, HTTP_PORT: String(instance.port) });
    instance.child = child;
    void child.exited.then((code) => {
      if (this.stopping || instance.child !== child) return;
      instance.restarts += 1;
      this.log(
        `  ${instance.name} exited (${child.process.signalCode ?? `code ${code}`}); restarting it ` +
          `in ${RESTART_DELAY_MS / 1000} s`,
      );
      setTimeout(() => this.start(instance), RESTART_DELAY_MS);
    });
  }
}
