// Two runs of one spec must open tabs that can be told apart: the title carries the run's start time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRunId } from '../../src/core/rundir';
import { folderSlug, panelTitle } from '../../src/extension/panel/title';

test('the results tab names the search and when its run started', () => {
  const now = new Date();
  const a = newRunId('shapes', new Date(now.getTime() - 60_000));
  const b = newRunId('shapes', now);
  const ta = panelTitle(`/w/.nas-studio/runs/${a}`, 'shapes: conv or dense?', now);
  const tb = panelTitle(`/w/.nas-studio/runs/${b}`, 'shapes: conv or dense?', now);
  assert.match(ta, /^NAS: shapes: conv or dense\? \(\d\d:\d\d\)$/);
  // Exactly a minute apart, so their minutes differ.
  assert.notEqual(ta, tb);
  // Before the name is known: the slug of the folder, not the raw run id.
  assert.match(panelTitle(`/w/runs/${b}`, undefined, now), /^NAS: shapes \(\d\d:\d\d\)$/);
  // Another day: the date too.
  const old = newRunId('shapes', new Date(now.getTime() - 3 * 86_400_000));
  assert.match(panelTitle(`/w/runs/${old}`, 'shapes', now), /^NAS: shapes \(\d{4}-\d\d-\d\d \d\d:\d\d\)$/);
  // A folder named otherwise keeps its name.
  assert.equal(panelTitle('/w/runs/my-run', undefined, now), 'NAS: my-run');
});

test('a run not started yet is called by its folder slug, never by the raw run id', () => {
  const id = newRunId('shapes: conv or dense?', new Date());
  assert.equal(folderSlug(`/w/.nas-studio/runs/${id}`), 'shapes-conv-or-dense');
  assert.equal(folderSlug('/w/runs/my-run'), 'my-run');
});
