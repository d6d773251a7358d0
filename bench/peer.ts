// Drives bench/torch_cnn.py: PyTorch on one thread, trained in rounds we ask for, so its rounds interleave
// with ours and both see the same load on a shared machine.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface PeerInfo {
  python: string;
  torch: string;
  blas: string;
  threads: number;
}

export interface PeerRound {
  steps: number;
  ms: number;
  cpuMs: number;
  loss: number;
}

/** Where bench/torch_cnn.py is, from source (tsx) and from the bundle in dist/. */
export function peerScript(): string | undefined {
  const candidates = [path.join(__dirname, 'torch_cnn.py'), path.join(__dirname, '..', 'bench', 'torch_cnn.py')];
  return candidates.find((p) => fs.existsSync(p));
}

/**
 * The first Python that imports torch. pyenv and venv shims often shadow Debian's python3, which is where
 * python3-torch installs, so /usr/bin/python3 is tried too.
 */
export function findTorchPython(): { python?: string; reason?: string } {
  const tried: string[] = [];
  for (const python of [process.env.NAS_STUDIO_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python };
    tried.push(`${python}: ${r.error ? (r.error as NodeJS.ErrnoException).code : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { reason: `no Python with torch (${tried.join('; ')}); apt-get install -y python3-torch` };
}

export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  private constructor(python: string, script: string, dataDir: string, batch: number) {
    this.child = spawn(python, [script, dataDir, String(batch)], {
      // One thread, whichever threading library this torch build and its BLAS use.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string, script: string, dataDir: string, batch: number): Promise<{ peer: TorchPeer; info: PeerInfo }> {
    const peer = new TorchPeer(python, script, dataDir, batch);
    const ready = (await peer.next()) as { torch: string; blas: string; threads: number };
    return { peer, info: { python, torch: ready.torch, blas: ready.blas, threads: ready.threads } };
  }

  private async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch peer exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async train(steps: number): Promise<PeerRound> {
    this.child.stdin.write(`train ${steps}\n`);
    const r = (await this.next()) as { steps: number; ms: number; cpu_ms: number; loss: number };
    return { steps: r.steps, ms: r.ms, cpuMs: r.cpu_ms, loss: r.loss };
  }

  close(): void {
    this.child.stdin.end('quit\n');
  }
}
