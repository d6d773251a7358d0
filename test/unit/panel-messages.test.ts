// Messages between the host and the results panel: the guards on both sides, the host's batching of live
// events, and the session that answers `ready` with a snapshot and turns clicks into controller calls.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunController, RunSnapshot } from '../../src/extension/runController';
import type { RunEvent } from '../../src/shared/events';
import { isHostToPanel, isPanelToHost, type HostToPanel, type RunStatus } from '../../src/shared/panel';
import { EventBatcher, type Timers } from '../../src/extension/panel/batcher';
import { PanelSession } from '../../src/extension/panel/session';
import { started as runStarted } from '../helpers/events';

const log = (n: number): RunEvent => ({ type: 'log', time: `2026-01-01T00:00:0${n}Z`, level: 'info', message: `m${n}` });

/** Timers the test fires by hand: batching is about time, and tests must not wait for it. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    setTimeout: (fn) => {
      const id = next++;
      pending.set(id, fn);
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const fire = () => {
    const fns = [...pending.values()];
    pending.clear();
    for (const f of fns) f();
  };
  return {
    timers,
    fire,
    get armed() {
      return pending.size;
    },
  };
}

describe('panel message guards', () => {
  it('accepts the declared webview messages', () => {
    for (const m of [
      { method: 'ready' },
      { method: 'stop' },
      { method: 'resume' },
      { method: 'export', params: { trial: 0 } },
      { method: 'reveal', params: { trial: 12 } },
    ])
      assert.ok(isPanelToHost(m), JSON.stringify(m));
  });

  it('rejects anything else a page could send', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      {},
      { method: 'eval' },
      { method: 'export' },
      { method: 'export', params: {} },
      { method: 'export', params: { trial: -1 } },
      { method: 'reveal', params: { trial: 1.5 } },
      { method: 'reveal', params: { trial: '3' } },
      { method: 'export', params: null },
    ];
    for (const m of bad) assert.equal(isPanelToHost(m), false, JSON.stringify(m));
  });

  it('the webview checks what the host sends', () => {
    assert.ok(isHostToPanel({ method: 'init', params: { runDir: '/r', status: 'running', canResume: false, events: [] } }));
    assert.ok(isHostToPanel({ method: 'events', params: { events: [] } }));
    assert.ok(isHostToPanel({ method: 'status', params: { status: 'stopped', canResume: true } }));
    for (const m of [null, { method: 'init', params: { events: [] } }, { method: 'events', params: {} }, { method: 'status' }, { method: 'other', params: {} }])
      assert.equal(isHostToPanel(m), false, JSON.stringify(m));
  });
});

describe('event batcher', () => {
  it('coalesces events pushed within one interval into one message, in order', () => {
    const sent: HostToPanel[] = [];
    const t = manualTimers();
    const b = new EventBatcher((m) => sent.push(m), 300, t.timers);
    b.pushEvents([log(1)]);
    b.pushEvents([log(2), log(3)]);
    assert.equal(sent.length, 0, 'nothing before the interval');
    assert.equal(t.armed, 1, 'one timer for the whole batch');
    t.fire();
    assert.deepEqual(sent, [{ method: 'events', params: { events: [log(1), log(2), log(3)] } }]);
  });

  it('sends the status after the events it followed, and only the latest one', () => {
    const sent: HostToPanel[] = [];
    const t = manualTimers();
    const b = new EventBatcher((m) => sent.push(m), 300, t.timers);
    b.pushStatus({ status: 'stopping', canResume: false });
    b.pushEvents([log(1)]);
    b.pushStatus({ status: 'stopped', canResume: true });
    t.fire();
    assert.deepEqual(
      sent.map((m) => m.method),
      ['events', 'status'],
    );
    assert.deepEqual(sent[1], { method: 'status', params: { status: 'stopped', canResume: true } });
  });

  it('sends nothing when nothing is pending, and nothing after clear or dispose', () => {
    const sent: HostToPanel[] = [];
    const t = manualTimers();
    const b = new EventBatcher((m) => sent.push(m), 300, t.timers);
    b.flush();
    b.pushEvents([]);
    assert.equal(t.armed, 0);
    b.pushEvents([log(1)]);
    b.clear();
    t.fire();
    b.dispose();
    b.pushEvents([log(2)]);
    t.fire();
    assert.deepEqual(sent, []);
  });
});

/** A controller that records calls and lets the test emit changes. */
function fakeController(snapshot: Partial<RunSnapshot> = {}) {
  const calls: string[] = [];
  const listeners = new Set<(c: { events: RunEvent[]; status?: RunStatus; canResume?: boolean; message?: string }) => void>();
  let fail: Error | undefined;
  const controller: RunController = {
    snapshot(runDir) {
      calls.push(`snapshot ${runDir}`);
      if (fail) throw fail;
      return { runDir, status: 'running', canResume: false, events: [log(1)], ...snapshot };
    },
    onDidChange(_runDir, listener) {
      listeners.add(listener);
      return { dispose: () => void listeners.delete(listener) };
    },
    stop: async (d) => void calls.push(`stop ${d}`),
    resume: async () => {
      throw new Error('no journal');
    },
    exportTrial: async (d, t) => void calls.push(`export ${d} ${t}`),
    revealTrial: async (d, t) => void calls.push(`reveal ${d} ${t}`),
  };
  return {
    controller,
    calls,
    listeners,
    emit: (c: { events: RunEvent[]; status?: RunStatus; canResume?: boolean; message?: string }) => listeners.forEach((l) => l(c)),
    failSnapshot: (e: Error) => (fail = e),
  };
}

function session(snapshot?: Partial<RunSnapshot>) {
  const fake = fakeController(snapshot);
  const t = manualTimers();
  const posted: HostToPanel[] = [];
  const errors: string[] = [];
  const names: string[] = [];
  const s = new PanelSession(
    '/w/run',
    fake.controller,
    { post: (m) => posted.push(m), onError: (what, e) => errors.push(`${what}: ${(e as Error).message}`), onName: (n) => names.push(n) },
    300,
    t.timers,
  );
  return { s, fake, t, posted, errors, names };
}

describe('panel session', () => {
  it('answers ready with the snapshot, then forwards live changes in batches', () => {
    const { s, fake, t, posted } = session();
    s.handle({ method: 'ready' });
    assert.deepEqual(posted, [{ method: 'init', params: { runDir: '/w/run', status: 'running', canResume: false, events: [log(1)] } }]);
    fake.emit({ events: [log(2)] });
    fake.emit({ events: [log(3)], status: 'finished', canResume: false });
    assert.equal(posted.length, 1, 'batched, not sent at once');
    t.fire();
    assert.deepEqual(posted.slice(1), [
      { method: 'events', params: { events: [log(2), log(3)] } },
      { method: 'status', params: { status: 'finished', canResume: false, message: undefined } },
    ]);
  });

  it('sends nothing before the page is ready', () => {
    const { fake, posted } = session();
    assert.equal(fake.listeners.size, 0);
    assert.deepEqual(posted, []);
  });

  it('a second ready (the page reloaded) starts over with one subscription and a fresh snapshot', () => {
    const { s, fake, t, posted } = session();
    s.handle({ method: 'ready' });
    fake.emit({ events: [log(2)] });
    s.handle({ method: 'ready' });
    t.fire();
    assert.equal(fake.listeners.size, 1);
    assert.deepEqual(
      posted.map((m) => m.method),
      ['init', 'init'],
      'the pending batch went with the old page',
    );
  });

  it('stops feeding a detached (hidden) page until it is ready again', () => {
    const { s, fake, t, posted } = session();
    s.handle({ method: 'ready' });
    s.detach();
    fake.emit({ events: [log(2)] });
    t.fire();
    assert.equal(fake.listeners.size, 0);
    assert.equal(posted.length, 1);
    s.dispose();
    s.handle({ method: 'ready' });
    assert.equal(posted.length, 1, 'a disposed session answers nothing');
  });

  it("turns the page's actions into controller calls for its run folder", async () => {
    const { s, fake } = session();
    s.handle({ method: 'stop' });
    s.handle({ method: 'export', params: { trial: 3 } });
    s.handle({ method: 'reveal', params: { trial: 4 } });
    s.handle({ method: 'export', params: { trial: -3 } });
    s.handle({ method: 'kill', params: { pid: 1 } });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(fake.calls, ['stop /w/run', 'export /w/run 3', 'reveal /w/run 4']);
  });

  it('reports a failed action instead of dropping it', async () => {
    const { s, errors } = session();
    s.handle({ method: 'resume' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors, ['resume the run: no journal']);
  });

  it('names the panel after the run', () => {
    const started = runStarted(0, { name: 'shapes' });
    const { s, names } = session({ events: [started] });
    s.handle({ method: 'ready' });
    assert.deepEqual(names, ['shapes']);
  });

  it('shows an unreadable run as crashed, with the reason', () => {
    const { s, fake, posted } = session();
    fake.failSnapshot(new Error('ENOENT: journal.jsonl'));
    s.handle({ method: 'ready' });
    assert.equal(posted[0].method, 'init');
    assert.deepEqual(posted[1], { method: 'status', params: { status: 'crashed', canResume: false, message: 'cannot read the run: ENOENT: journal.jsonl' } });
  });
});
