// The wasm backend starts with its heap already grown to WASM_HEAP_RESERVE (backend.ts says why: growing it
// step by step cost the first training step 0.2-0.5 s of CPU), and tensors still work after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, WASM_HEAP_RESERVE } from '../../src/engine/backend';

test('the wasm heap is reserved at start-up, in one step', async () => {
  const { tf } = await initBackend('wasm');
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
  assert.ok(heap.length >= WASM_HEAP_RESERVE, `heap ${heap.length} bytes, expected at least ${WASM_HEAP_RESERVE}`);
  const sum = tf.sum(tf.add(tf.ones([1000]), tf.ones([1000])));
  assert.equal((await sum.data())[0], 2000);
  sum.dispose();
});
