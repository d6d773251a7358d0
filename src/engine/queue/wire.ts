// The names of a run's keys in Redis and how messages travel. Messages are the protocol of
// src/shared/protocol.ts, serialized like the IPC of forked workers (v8 structured clone), so weights and
// checkpoints travel as binary, not JSON.
import * as v8 from 'node:v8';

/** Every key NAS Studio writes starts with this; BullMQ's own keys too (its `prefix`). */
export const PREFIX = 'nas-studio';
/** Runs being served: member = run id, score = the orchestrator's last heartbeat (ms). */
export const RUNS_KEY = `${PREFIX}:runs`;
/** Channel an orchestrator publishes its run id on when it registers a run: workers look at once, not at their next poll. */
export const RUNS_CHANNEL = `${PREFIX}:runs:new`;
/** Connected workers: member = JSON { host, pid, slots }, score = last heartbeat (ms). */
export const WORKERS_KEY = `${PREFIX}:workers`;
/** A worker is connected while its heartbeat is younger than this. */
export const WORKER_TTL_MS = 15_000;
/** A run takes new jobs from workers while its orchestrator's heartbeat is younger than this. */
export const RUN_TTL_MS = 30_000;
/**
 * A job whose orchestrator has been silent this long is given up (failed, so that a later resume retries it):
 * its worker stops waiting for a decision that may never come and serves other runs.
 */
export const ORPHAN_MS = 10 * 60_000;
/**
 * A training process says it is alive about once a second (`progress`, for the orchestrator's watchdog, which
 * waits minutes); its relay passes on one such message per this many ms, so they cost Redis a write per trial,
 * not one per second.
 */
export const PROGRESS_EVERY_MS = 5000;

export function blobKey(sha256: string): string {
  return `${PREFIX}:blob:${sha256}`;
}

/** The keys of one run. The BullMQ queue is named per run too, so runs never take each other's jobs. */
export function runKeys(runId: string) {
  const base = `${PREFIX}:run:${runId}`;
  return {
    queue: `run-${runId}`,
    base,
    /** Stream of worker -> orchestrator messages: fields `job` and `m` (serialized). */
    out: `${base}:out`,
    /** Hash trial -> id of the job that trains its current attempt (a resume re-attaches through it). */
    jobs: `${base}:jobs`,
    /** The probe's answer (shapes, backend): a resume re-attaches without waiting for a free worker. */
    ready: `${base}:ready`,
    /** Set when the budget's time is up: running trials stop between batches. */
    stop: `${base}:stop`,
    payload: (job: string) => `${base}:payload:${job}`,
    decision: (job: string, epoch: number) => `${base}:decide:${job}:${epoch}`,
    cancel: (job: string) => `${base}:cancel:${job}`,
  };
}

export type RunKeys = ReturnType<typeof runKeys>;

/**
 * The version of what travels through the queue (these keys, JobData, the payload's messages). A change that an
 * older worker would misread raises it: a worker refuses a job of another version with a message that says which
 * side to update, where it would otherwise fail in ways that name neither. Jobs without one are version 1.
 */
export const QUEUE_PROTOCOL = 1;

/** Why a worker refuses a job of another protocol version, or undefined when it speaks the job's. */
export function protocolMismatch(job: number | undefined, host: string): string | undefined {
  const v = job ?? 1;
  if (v === QUEUE_PROTOCOL) return undefined;
  const update = v > QUEUE_PROTOCOL ? `update nas-studio on ${host}` : "update the orchestrator's nas-studio";
  return `refused on ${host}: the job is of queue protocol ${v}, this worker speaks ${QUEUE_PROTOCOL}; ${update} so that both match`;
}

/** What a queue job is: the orchestrator's messages for one worker, stored under `payloadKey`. */
export interface JobData {
  /** QUEUE_PROTOCOL of the orchestrator that queued it. */
  protocol?: number;
  kind: 'probe' | 'train' | 'evaluate';
  trial?: number;
  payloadKey: string;
  /** Dataset file names as the spec wrote them, by content hash: for messages about a missing file. */
  names: Record<string, string>;
}

/** Worker -> orchestrator: besides the protocol's messages, who took a job. */
export interface Assigned {
  method: 'assigned';
  params: { host: string; pid: number; backend?: string };
}

/** A run id as a key part: run folders are named by NAS Studio, but a queue must not trust that. */
export function safeRunId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function encode(m: unknown): Buffer {
  return v8.serialize(m);
}

export function decode<T>(b: Buffer): T {
  return v8.deserialize(b) as T;
}
