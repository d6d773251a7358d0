// The .vsix's README (scripts/vsix-readme.mjs): links to files the package leaves out must not dangle in the
// installed extension's details view (issue 15, item 12).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
// @ts-expect-error: a plain .mjs script without type declarations
import { packagedIn, readmeForPackage } from '../../scripts/vsix-readme.mjs';

const files = ['README.md', 'package.json', 'examples/cells.nas.json', 'schemas/nas.schema.json', 'dist/cli.js'];
const packaged = packagedIn(files) as (p: string) => boolean;

describe('the README packed into the .vsix', () => {
  it('keeps links to packaged files and folders, URLs and anchors; rewrites the rest; drops unpackaged images', () => {
    const text = [
      'See [the schema](schemas/nas.schema.json) and [examples](examples) or [one](./examples/cells.nas.json#L3).',
      'Deploy: [docs/DEPLOY.md](docs/DEPLOY.md); [site](https://example.org/x) and [below](#the-cli).',
      '![panel](docs/screenshots/panel-running.png)',
    ].join('\n');
    assert.equal(
      readmeForPackage(text, packaged),
      [
        'See [the schema](schemas/nas.schema.json) and [examples](examples) or [one](./examples/cells.nas.json#L3).',
        'Deploy: docs/DEPLOY.md (`docs/DEPLOY.md` in the repository); [site](https://example.org/x) and [below](#the-cli).',
        '',
      ].join('\n'),
    );
  });

  it("leaves no relative link in the project's README that the package lacks", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const out = readmeForPackage(readme, packaged) as string;
    const relative = [...out.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:|^#/i.test(t));
    for (const t of relative) assert.ok(packaged(t.split('#')[0].replace(/^\.\//, '').replace(/\/$/, '')), `dangling link ${t}`);
    assert.ok(readme.includes('](docs/'), 'the README links into docs/ (else this test checks nothing)');
  });
});
