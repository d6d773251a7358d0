// The panel's Worker column and the trial detail's worker sentence: which process trains each trial, from the
// journal alone. A queue trial names the worker that took it (`trial-assigned`), not the orchestrator's machine;
// a forked worker names the launch's machine (`run-started.host`) and its own pid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../src/shared/events';
import { leaderboardRows, PanelModel, trialFacts } from '../../webview/model';
import { workerFact, workerLabel } from '../../webview/workerColumn';
import { at, completed, epoch, started, trialStarted } from '../helpers/events';

function model(events: RunEvent[]): PanelModel {
  const m = new PanelModel();
  m.apply({ method: 'init', params: { runDir: '/w/run', status: 'running', canResume: false, events } });
  return m;
}

const withPid = (s: number, trial: number, pid: number): RunEvent => ({ ...(trialStarted(s, trial) as Extract<RunEvent, { type: 'trial-started' }>), pid });

describe('panel: which worker trains each trial', () => {
  it('a forked worker: the launch’s host and the worker’s pid, in the row and the facts', () => {
    const m = model([started(0, { host: 'ws-1' }), withPid(1, 0, 88), epoch(2, 0, 0, 0.5), completed(3, 0, 0.5), withPid(4, 1, 89)]);
    const rows = leaderboardRows(m);
    assert.deepEqual(
      rows.map((r) => r.worker),
      ['ws-1 (pid 88)', 'ws-1 (pid 89)'],
    );
    assert.deepEqual(trialFacts(m, m.state.trials.get(0)!), ['trained by a forked worker on ws-1 (pid 88)']);
    assert.deepEqual(trialFacts(m, m.state.trials.get(1)!), ['training by a forked worker on ws-1 (pid 89)']);
  });

  it('a queue trial: empty until a worker takes it, then that worker’s host, pid and backend', () => {
    const events: RunEvent[] = [started(0, { host: 'orchestrator-box' }), trialStarted(1, 0)];
    assert.equal(leaderboardRows(model(events))[0].worker, undefined);
    assert.deepEqual(trialFacts(model(events), model(events).state.trials.get(0)!), []);
    events.push({ type: 'trial-assigned', time: at(2), trial: 0, host: 'gpu-2', pid: 311, backend: 'wasm' }, completed(3, 0, 0.5));
    const m = model(events);
    assert.equal(leaderboardRows(m)[0].worker, 'gpu-2 (pid 311)');
    assert.deepEqual(trialFacts(m, m.state.trials.get(0)!), ['trained by a queue worker on gpu-2 (pid 311), wasm backend']);
  });

  it('a retry on another worker replaces the first worker', () => {
    const m = model([
      started(0),
      trialStarted(1, 0),
      { type: 'trial-assigned', time: at(2), trial: 0, host: 'gpu-1', pid: 10 },
      { type: 'trial-failed', time: at(3), trial: 0, error: 'killed', durationMs: 1000, retry: true },
      trialStarted(4, 0),
      { type: 'trial-assigned', time: at(5), trial: 0, host: 'gpu-2', pid: 20 },
    ]);
    assert.equal(leaderboardRows(m)[0].worker, 'gpu-2 (pid 20)');
  });

  it('journals that name no host (before run-started.host) still show the pid; none at all, nothing', () => {
    const m = model([started(0), withPid(1, 0, 88)]);
    assert.equal(leaderboardRows(m)[0].worker, 'pid 88');
    assert.equal(workerFact(m.state.trials.get(0)!), 'training by a forked worker, pid 88');
    assert.equal(workerLabel({}), '');
    assert.equal(workerFact({ status: 'completed' }), undefined);
  });
});
