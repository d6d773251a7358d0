// The real worker, made to freeze the way a stuck native call would: its event loop blocks for good (no CPU
// burnt, nothing answered) half a second before the budget's deadline of its trial (NAS_TEST_HANG=deadline), so
// neither the deadline nor the stop message can end it, or once epoch NAS_TEST_HANG_EPOCH of trial
// NAS_TEST_HANG_TRIAL has been answered (NAS_TEST_HANG=epoch). For the watchdog tests.
import '../../src/engine/worker';

const when = process.env.NAS_TEST_HANG;
const trial = Number(process.env.NAS_TEST_HANG_TRIAL ?? 0);
const epoch = Number(process.env.NAS_TEST_HANG_EPOCH ?? 0);

function freeze() {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

process.on('message', (m: { method?: string; params?: { trial?: number; epoch?: number; deadlineMs?: number } }) => {
  if (when === 'deadline' && m.method === 'train') setTimeout(freeze, Math.max(0, (m.params?.deadlineMs ?? 0) - 500));
  // Let the worker start the next epoch first, so it hangs mid-training.
  if (when === 'epoch' && m.method === 'decision' && m.params?.trial === trial && m.params.epoch === epoch) setTimeout(freeze, 50);
});
