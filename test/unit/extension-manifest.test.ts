// package.json declares what the code implements (commands, settings, context keys, the webview, the language)
// and the schema lists the strategies and pruners the engine has: each pair must not drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import schema from '../../schemas/nas.schema.json';
import { PRUNER_NAMES } from '../../src/core/pruners';
import { STRATEGY_NAMES } from '../../src/core/strategies';
import { COMMANDS, CONTEXT_KEYS, LANGUAGE_ID, RESULTS_VIEW_TYPE, SECTION, SETTING_DEFAULTS } from '../../src/extension/ids';

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { default?: unknown; description?: string; markdownDescription?: string }> };
    languages: { id: string }[];
  };
}
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;
const commands = Object.values(COMMANDS) as string[];
const sorted = (xs: Iterable<string>) => [...xs].sort();

test('package.json contributes exactly the commands the extension registers', () => {
  assert.deepEqual(sorted(manifest.contributes.commands.map((c) => c.command)), sorted(commands));
  for (const c of manifest.contributes.commands) assert.ok(c.title.trim(), `${c.command} has no title`);
});

test('menus name only known commands, and their when clauses only context keys the extension sets', () => {
  const known = new Set(Object.values(CONTEXT_KEYS) as string[]);
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) {
      assert.ok(commands.includes(item.command), `menu ${menu} names unknown command ${item.command}`);
      for (const key of item.when?.match(/\bnasStudio\.\w+/g) ?? []) assert.ok(known.has(key), `menu ${menu}: when clause uses ${key}, which nothing sets`);
    }
  }
});

test('activation events name the commands, the webview and the language that exist', () => {
  for (const e of manifest.activationEvents ?? []) {
    const [kind, name] = e.split(/:(.*)/s);
    if (kind === 'onCommand') assert.ok(commands.includes(name), `activation event for unknown command ${name}`);
    else if (kind === 'onWebviewPanel') assert.equal(name, RESULTS_VIEW_TYPE);
    else if (kind === 'onLanguage') assert.equal(name, LANGUAGE_ID);
  }
  assert.deepEqual(
    manifest.contributes.languages.map((l) => l.id),
    [LANGUAGE_ID],
  );
});

test('package.json declares exactly the settings the extension reads, with the same defaults', () => {
  const props = manifest.contributes.configuration.properties;
  assert.deepEqual(sorted(Object.keys(props)), sorted(Object.keys(SETTING_DEFAULTS).map((k) => `${SECTION}.${k}`)));
  for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
    const p = props[`${SECTION}.${key}`];
    assert.deepEqual(p.default, value, `${SECTION}.${key}: package.json default ${JSON.stringify(p.default)} != code default ${JSON.stringify(value)}`);
    assert.ok(p.description ?? p.markdownDescription, `${SECTION}.${key} has no description`);
  }
});

test("the schema offers exactly the engine's strategies and pruners", () => {
  type Props = Record<string, { enum?: string[]; properties?: Props }>;
  const search = (schema as unknown as { definitions: { search: { properties: Props } } }).definitions.search.properties;
  assert.deepEqual(sorted(search.strategy.enum ?? []), sorted(STRATEGY_NAMES));
  assert.deepEqual(sorted(search.pruner.properties?.type.enum ?? []), sorted(PRUNER_NAMES));
});

test('nas-json is served by this extension alone: not a JSON-service participant, formatted by this extension', () => {
  const raw = manifest as unknown as {
    publisher: string;
    name: string;
    extensionDependencies?: string[];
    contributes: Manifest['contributes'] & {
      jsonLanguageParticipants?: unknown;
      snippets?: unknown;
      configurationDefaults?: Record<string, Record<string, unknown>>;
    };
  };
  // As a participant, the JSON service reported every mistake a second time with its own wording and severity.
  assert.equal(raw.contributes.jsonLanguageParticipants, undefined);
  // Contributed snippets are offered at every position; completion.ts offers them where they fit.
  assert.equal(raw.contributes.snippets, undefined);
  assert.equal(raw.contributes.configurationDefaults?.[`[${LANGUAGE_ID}]`]?.['editor.defaultFormatter'], `${raw.publisher}.${raw.name}`);
});
