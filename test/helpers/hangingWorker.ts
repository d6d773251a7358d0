// The real worker, made to freeze the way a stuck native call would: its event loop blocks for good (no CPU
// burnt, nothing answered) half a second before the budget's deadline of its trial (NAS_TEST_HANG=deadline), so
// neither the deadline nor the stop message can end it, or once epoch NAS_TEST_HANG_EPOCH of trial
// NAS_TEST_HANG_TRIAL has been answered (NAS_TEST_HANG=epoch), before the trial can end. For the watchdog tests.
// With NAS_TEST_HANG=supernet-epoch it freezes once supernet epoch NAS_TEST_HANG_EPOCH is sent, so a test can act
// on that epoch knowing that no later one exists (the supernet waits for no answer between its epochs).
import '../../src/engine/worker';

const when = process.env.NAS_TEST_HANG;
const trial = Number(process.env.NAS_TEST_HANG_TRIAL ?? 0);
const epoch = Number(process.env.NAS_TEST_HANG_EPOCH ?? 0);

function freeze() {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

process.on('message', (m: { method?: string; params?: { trial?: number; epoch?: number; deadlineMs?: number } }) => {
  if (when === 'deadline' && m.method === 'train') setTimeout(freeze, Math.max(0, (m.params?.deadlineMs ?? 0) - 500));
  // On the next turn of the event loop: the worker has gone on with the next epoch (the decision reached it first,
  // this listener being added after the worker's), but it cannot have ended the trial, which needs the
  // orchestrator's answer to that epoch (epoch: one before the trial's last). A timer (it was 50 ms) let a fast
  // machine finish the trial first.
  if (when === 'epoch' && m.method === 'decision' && m.params?.trial === trial && m.params.epoch === epoch) setImmediate(freeze);
});

if (when === 'supernet-epoch') {
  // The worker reads process.send at each call: this wrapper sees every message it sends.
  const send = process.send!.bind(process) as (m: unknown, h: undefined, o: object, cb?: (e: Error | null) => void) => boolean;
  process.send = ((m: { method?: string; params?: { epoch?: number } }, h: undefined, o: object, cb?: (e: Error | null) => void) =>
    send(m, h, o, (e) => {
      cb?.(e);
      // The message is written: the orchestrator gets it, and the worker goes no further.
      if (m.method === 'supernet-epoch' && m.params?.epoch === epoch) freeze();
    })) as typeof process.send;
}
