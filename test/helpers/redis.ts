// A real redis-server for the queue tests: on a free loopback port, in its own temporary folder, with its
// append-only file synced on every write (so a restart loses nothing), and `nas-studio worker` processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '..', '..');

/** Why the queue tests cannot run here, or undefined. CI installs redis-server, so there they must run. */
export function redisMissing(): string | undefined {
  if (spawnSync('redis-server', ['--version']).status === 0) return undefined;
  if (process.env.CI) throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  return 'redis-server is not installed';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc?: ChildProcess;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(dir: string): Promise<TestRedis> {
    const r = new TestRedis(dir, await freePort());
    await r.up();
    return r;
  }

  async up(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      p.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
      p.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  }

  /** Stops the server as an operator would (SHUTDOWN writes the AOF), and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.down();
    await this.up();
  }

  async down(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
}

/** A `nas-studio worker` process (the TypeScript source under tsx) in its own folder, its output kept. */
export class TestWorker {
  readonly proc: ChildProcess;
  output = '';
  constructor(
    readonly dir: string,
    url: string,
    extra: string[] = [],
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.proc = spawn(
      process.execPath,
      ['--import', pathToFileURL(require.resolve('tsx')).href, path.join(root, 'src/cli/main.ts'), 'worker', '--queue', url, '--stall-seconds', '3', ...extra],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (b: Buffer) => (this.output += b.toString());
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
  }

  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const start = Date.now();
    while (!re.test(this.output)) {
      if (this.proc.exitCode !== null) throw new Error(`the worker exited: ${this.output}`);
      if (Date.now() - start > ms) throw new Error(`no ${re} from the worker within ${ms} ms: ${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill(signal);
    });
  }
}
