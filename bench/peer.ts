// Drives bench/torch_peer.py: PyTorch on one thread, building each suite network from the same architecture
// JSON our builder reads and training it in rounds we ask for, so its rounds interleave with ours and both see
// the same load on a shared machine.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { liveEdges } from '../src/core/shapes';
import type { ConcreteArch } from '../src/shared/arch';

export interface PeerInfo {
  python: string;
  torch: string;
  blas: string;
  threads: number;
  /** How the peer set up its allocator (bench/torch_peer.py keep_freed_memory). */
  malloc: string;
}

export interface PeerRound {
  steps: number;
  ms: number;
  cpuMs: number;
  loss: number;
  /** Minor page faults in the round: thousands a step mean the allocator hands memory back and PyTorch runs slow. */
  pageFaults: number;
}

/** Where bench/torch_peer.py is, from source (tsx) and from the bundle in dist/. */
export function peerScript(): string | undefined {
  const candidates = [path.join(__dirname, 'torch_peer.py'), path.join(__dirname, '..', 'bench', 'torch_peer.py')];
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

/** What the peer is asked to build: one suite network's description, as bench/suite.ts holds it. */
export interface PeerNet {
  arch: ConcreteArch;
  inputShape: number[];
  classes: number;
  batch: number;
}

export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  private constructor(python: string, script: string, dataDir: string) {
    this.child = spawn(python, [script, dataDir], {
      // One thread, whichever threading library this torch build and its BLAS use.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string, script: string, dataDir: string): Promise<{ peer: TorchPeer; info: PeerInfo }> {
    const peer = new TorchPeer(python, script, dataDir);
    const ready = (await peer.next()) as { torch: string; blas: string; threads: number; malloc: string };
    return { peer, info: { python, torch: ready.torch, blas: ready.blas, threads: ready.threads, malloc: ready.malloc } };
  }

  private async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch peer exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    const msg = JSON.parse(r.value) as Record<string, unknown>;
    if (typeof msg.error === 'string') throw new Error(`the PyTorch peer: ${msg.error}`);
    return msg;
  }

  private async ask(msg: object): Promise<Record<string, unknown>> {
    this.child.stdin.write(JSON.stringify(msg) + '\n');
    return this.next();
  }

  /**
   * Builds the network (only the live edges of a cell, as our builder keeps) and answers its trainable parameter
   * count; with `train`, also its optimizer and one warm-up step on Fashion-MNIST, so `train()` rounds can follow.
   */
  async build(net: PeerNet, train: boolean): Promise<{ params: number }> {
    const arch = net.arch.kind === 'cell' ? { ...net.arch, edges: liveEdges(net.arch) } : net.arch;
    const r = await this.ask({ cmd: 'build', arch, input: net.inputShape, classes: net.classes, batch: net.batch, train });
    return { params: r.params as number };
  }

  async train(steps: number): Promise<PeerRound> {
    const r = (await this.ask({ cmd: 'train', steps })) as { steps: number; ms: number; cpu_ms: number; loss: number; page_faults: number };
    return { steps: r.steps, ms: r.ms, cpuMs: r.cpu_ms, loss: r.loss, pageFaults: r.page_faults };
  }

  close(): void {
    this.child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
  }
}
