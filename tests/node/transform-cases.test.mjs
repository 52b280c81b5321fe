// The JavaScript client's transform against the server's own cases (tests/cases/transform-cases.json, which the C#
// tests read too), plus the property both ends rely on: E′(C(T)) = C′(E(T)) for random range sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apply, rebase, transform, Relation } from '../../clients/js/index.js';
import { seededRandom, randomRanges } from './random-edits.mjs';

const casesFile = fileURLToPath(new URL('../cases/transform-cases.json', import.meta.url));
const { cases } = JSON.parse(readFileSync(casesFile, 'utf8'));

test('the shared file has cases of every kind', () => {
  const results = new Set(cases.map((c) => c.expected.result));
  assert.deepEqual([...results].sort(), ['conflict', 'rebased', 'tooOld']);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

for (const item of cases) {
  test(`case: ${item.name}`, () => {
    let text = item.text;
    for (const change of item.log) text = apply(text, change.ranges);
    const result = rebase(item.edit, { version: item.version, changes: item.log }, text.length);
    const { expected } = item;
    switch (expected.result) {
      case 'rebased':
        assert.deepEqual(result, { result: 'rebased', ranges: expected.ranges });
        assert.equal(apply(text, result.ranges), expected.text);
        break;
      case 'conflict':
      case 'tooOld':
        assert.deepEqual(result, expected);
        break;
      default:
        assert.fail(`unknown expected result ${expected.result}`);
    }
  });
}

test('E′(C(T)) = C′(E(T)) for 3,000 random pairs of range sets (merged and without overlap)', () => {
  const random = seededRandom(19);
  let conflicts = 0;
  for (let n = 0; n < 3000; n++) {
    const text = 'abcdefghijklmnop'.slice(0, 1 + Math.floor(random() * 16));
    const edit = randomRanges(random, text.length, 'xy');
    const change = randomRanges(random, text.length, 'UVW');
    const relation = random() < 0.5 ? Relation.merge : Relation.otherPerson;
    const outcome = transform(edit, change, relation);
    if (outcome.conflict !== null) {
      assert.equal(relation, Relation.otherPerson);
      conflicts++;
      continue;
    }
    const viaChange = apply(apply(text, change), outcome.edit);
    const viaEdit = apply(apply(text, edit), outcome.change);
    assert.equal(viaChange, viaEdit, `text ${text}, edit ${JSON.stringify(edit)}, change ${JSON.stringify(change)}, ${relation}`);
  }
  assert.ok(conflicts > 0 && conflicts < 3000, `${conflicts} conflicts`);
});
