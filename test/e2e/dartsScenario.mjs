// The darts step of the real-VS-Code tests (called from scenarios.mjs): a darts search started from the editor
// shows the Supernet tab, whose alpha heatmap has one row per cell edge and updates live as the supernet trains.
// Writes docs/screenshots/darts-supernet.png (with --update-docs, or when it is missing).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function dartsStep(ctx, { ui, shot, wbOf }) {
  const { root, step, log } = ctx;
  await step(
    'e. darts: the Supernet tab shows the alpha heatmap (edges x operations) and follows the supernet live',
    async () => {
      const { wb, page } = await ui();
      await wb.openFile('e2e-darts.nas.json');
      await wb.command('NAS Studio: Run Search');
      const tab = await wb.frameWith('[data-testid=tab-supernet]', { timeout: 90_000 });
      const heat = '[data-testid=alpha-heatmap] svg';
      // The tab is shown for darts runs only; the first epoch's heatmap can take a few seconds.
      const deadline = Date.now() + 90_000;
      for (;;) {
        await tab.locator
          .first()
          .click({ timeout: 5_000 })
          .catch(() => {});
        const f = await wb.frameWith(heat, { timeout: 5_000 }).catch(() => null);
        if (f) break;
        if (Date.now() > deadline) throw new Error('no alpha heatmap in the Supernet tab within 90 s');
        await sleep(500);
      }
      const frame = (await wb.frameWith(heat)).frame;
      const rows = await frame.locator('[data-testid=alpha-heatmap] .alpha-row').count();
      assert.equal(rows, 3, 'one heatmap row per edge of a 3-node cell');
      const ops = await frame.locator('[data-testid=alpha-heatmap] .alpha-op').allTextContents();
      assert.deepEqual(ops, ['none', 'skip', 'conv3x3', 'avgPool3x3']);
      const title = async () => (await frame.locator('.supernet-view h3').first().innerText()).trim();
      // Live: the heatmap moves on to later epochs as they are journaled, without a reload. Watch until the last.
      const seen = new Set([await title()]);
      const end = Date.now() + 90_000;
      while (!/epoch (\d+) of \1\b/.test([...seen].at(-1)) && Date.now() < end) {
        await sleep(400);
        seen.add(await title());
      }
      log(`   ${[...seen].join(' | ')}`);
      assert.ok(seen.size >= 2, `the heatmap showed only "${[...seen][0]}": it did not follow the supernet's epochs`);
      assert.match([...seen].at(-1), /epoch (\d+) of \1\b/, 'the heatmap reached the last supernet epoch');
      await shot(wb, 'e-darts-supernet');
      const docs = path.join(root, 'docs', 'screenshots', 'darts-supernet.png');
      if (ctx.updateDocs || !fs.existsSync(docs)) {
        const el = await wb.webviewElement(frame);
        await (el ?? page).screenshot({ path: docs, timeout: 15_000 });
        log(`   wrote ${path.relative(root, docs)}`);
      }
      await wb.command('NAS Studio: Stop Search').catch(() => {});
    },
    { timeoutMs: 150_000, wb: wbOf },
  );
}
