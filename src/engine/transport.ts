// How the orchestrator reaches the processes that train. One interface, one implementation per file:
// pool.ts forks worker processes on this machine; queue/transport.ts hands trials to `nas-studio worker`
// processes on any machine through BullMQ on Redis. Either way the orchestrator keeps the strategy, the
// pruner's decisions and the journal; a link only carries the messages of src/shared/protocol.ts.
import type { TrialAssigned, WorkersChanged } from '../shared/events';
import type { FromWorker, ToWorker } from '../shared/protocol';

/** One slot that trains a trial at a time: a forked process, or a place in a queue served by remote workers. */
export interface WorkerLink {
  readonly id: number;
  /** The process that trains, when this machine knows it at once (forked workers). */
  readonly pid?: number;
  /** The trial it trains, if any (the orchestrator sets and clears it). */
  trial?: number;
  ready: boolean;
  exited: boolean;
  send(m: ToWorker): void;
  /** Ends it now; what it was training stays unfinished. `exit` follows. */
  kill(): void;
  /** Lets it go when the run is over; nothing follows. */
  close(): void;
}

export interface WorkerExit {
  /** Completes "the worker process ... during training": `killed by SIGKILL`, `on gpu-2 (pid 311) stopped answering`. */
  why: string;
  /** The worker's last output, when there is any. */
  output: string;
}

export interface LinkEvents {
  message(w: WorkerLink, m: FromWorker): void;
  exit(w: WorkerLink, e: WorkerExit): void;
}

/** What a transport may tell the run about its workers; the orchestrator journals it. */
export type TransportEvent = TrialAssigned | WorkersChanged;

export interface Launch {
  /** The run folder: a transport may keep what a resume needs there. */
  runDir: string;
  /** Trials the journal says were training when the last launch ended. */
  unfinished: number[];
  events: LinkEvents;
  newId(): number;
  report(e: TransportEvent): void;
  note(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface WorkerTransport {
  /** A short name for the run's header: `local`, `redis://host:6379`. */
  readonly name: string;
  /** Trials at once when the spec says `parallel: auto`. */
  autoParallel(): number;
  /**
   * Once per launch, before any link opens. Returns links re-attached to unfinished trials that still train
   * elsewhere (a queue outlives the orchestrator); each gets `init` like a new link and then goes on reporting.
   */
  start(launch: Launch): Promise<WorkerLink[]>;
  open(id: number, events: LinkEvents): WorkerLink;
  /** Once the run has ended or stopped (its journal is closed): nothing of it needs to stay with the workers. */
  close(): Promise<void>;
}
