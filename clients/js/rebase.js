// The server's side of the transform (EditRebaser.cs): a person's edit through every change since its base version.
// A client needs it only to check itself against the shared cases (tests/cases/transform-cases.json); it is exported
// for tools that simulate a server.
import { lengthDelta, validate, withoutNoOps } from './range-set.js';
import { MODEL, relationOf, transform } from './transform.js';
import { mapSpan } from './positions.js';

/**
 * @param {{clientId: string|null, baseVersion: number, ranges: Array}} edit
 * @param {{version: number, changes: Array<{version: number, author: string|null, ranges: Array}>}} log the oldest
 *   version it can rebase from, and every change after it, oldest first
 * @param {number} currentLength the length of the current text
 * @returns {{result: 'rebased', ranges: Array} |
 *           {result: 'conflict', start: number, end: number, currentVersion: number, conflictingVersion: number, conflictingAuthor: string|null} |
 *           {result: 'tooOld', oldestBaseVersion: number, currentVersion: number}}
 */
export function rebase(edit, log, currentLength) {
  const currentVersion = log.version + log.changes.length;
  if (edit.clientId === MODEL) throw new RangeError(`clientId '${MODEL}' is reserved for the model.`);
  if (edit.baseVersion > currentVersion) throw new RangeError(`Base version ${edit.baseVersion} is newer than the current version ${currentVersion}.`);
  if (edit.baseVersion < log.version) return { result: 'tooOld', oldestBaseVersion: log.version, currentVersion };
  const changesSince = log.changes.slice(edit.baseVersion - log.version);
  const baseLength = currentLength - changesSince.reduce((sum, c) => sum + lengthDelta(c.ranges), 0);
  validate(edit.ranges, baseLength);
  let ranges = withoutNoOps(edit.ranges);
  for (let k = 0; k < changesSince.length; k++) {
    const change = changesSince[k];
    const outcome = transform(ranges, change.ranges, relationOf(edit.clientId, change.author));
    if (outcome.conflict !== null) {
      // Where the other person's new text stands now: its span in its own version, followed to the current one.
      const before = change.ranges.slice(0, outcome.conflict);
      let start = change.ranges[outcome.conflict].start + lengthDelta(before);
      let end = start + change.ranges[outcome.conflict].text.length;
      for (const later of changesSince.slice(k + 1)) [start, end] = mapSpan(start, end, later.ranges);
      return { result: 'conflict', start, end, currentVersion, conflictingVersion: change.version, conflictingAuthor: change.author };
    }
    ranges = outcome.edit;
  }
  return { result: 'rebased', ranges };
}
