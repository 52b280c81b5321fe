// What a client keeps (docs/api.md, "The client's side"; the server's reference is ClientDocument.cs): the confirmed
// server text and version, and its own requests not yet acknowledged, oldest first. Only the oldest is ever in
// flight. The local text is always the confirmed text with the pending edits applied. Every server change is
// transformed past the pending edits with the same transform the server uses to rebase them, so both ends agree.
import { apply, inverse, sameRanges, withoutNoOps, plain } from './range-set.js';
import { MODEL, Relation, relationOf, transform } from './transform.js';

// Stands for a regenerate range while it is transformed (as the server does): an edit of nothing would be dropped.
const MARKER = '\u0001';

/**
 * A pending request: `{kind: 'edit', editId, ranges, baseVersion}` (already applied locally) or
 * `{kind: 'regenerate', editId, regions: [{start, end, maxTokens?}], decoding, baseVersion}` (no local effect until
 * the server masks the regions; its acknowledgement is a change like any other).
 */
export class ClientDocument {
  #pending = [];
  #expectedRejections = new Set();
  #headInFlight = false;
  #counter = 0;

  /** @param {string} clientId @param {string} text @param {number} version @param {string} [editPrefix] */
  constructor(clientId, text, version, editPrefix = clientId) {
    if (!clientId) throw new TypeError('clientId is required.');
    if (clientId === MODEL) throw new TypeError(`clientId '${MODEL}' is reserved.`);
    this.clientId = clientId;
    this.editPrefix = editPrefix;
    this.confirmedText = text;
    this.confirmedVersion = version;
    this.text = text;
  }

  /** Unacknowledged requests, oldest first (edit ranges refer to the text before them). */
  get pending() { return this.#pending; }

  /** The request in flight, if any. */
  get inFlight() { return this.#headInFlight ? this.#pending[0] : null; }

  /**
   * The user's edit (ranges of `text`), applied at once. Returns the request to send now, or null (one is in flight,
   * or the edit changes nothing).
   */
  localEdit(ranges) {
    ranges = withoutNoOps(plain(ranges));
    this.text = apply(this.text, ranges);
    if (ranges.length === 0) return null;
    this.#pending.push({ kind: 'edit', editId: this.#nextId(), ranges, baseVersion: this.confirmedVersion });
    return this.#sendHeadIfIdle();
  }

  /** Asks the server to regenerate ranges of `text` (queued behind earlier edits). Returns the request to send now, or null. */
  localRegenerate(regions, decoding) {
    // Regions refer to the local text; the edits before them in the queue are part of it, so they stay valid once
    // those are acknowledged. Nothing changes locally until the server's masking change arrives.
    this.#pending.push({ kind: 'regenerate', editId: this.#nextId(), regions: regions.map((r) => ({ ...r })), decoding, baseVersion: this.confirmedVersion });
    return this.#sendHeadIfIdle();
  }

  /**
   * A change of the stream, in version order: `{version, author, editId?, ranges}`. Returns
   * `{localChanges, toSend, rolledBack}`: range sets that turned the old local text into `text`, in order; the
   * request to send now (or null); the editIds undone because they overlapped another person's change.
   * An already-seen version returns nothing; a gap throws (start again from a snapshot).
   */
  onServerChange(change) {
    if (change.version <= this.confirmedVersion) return nothing();
    if (change.version !== this.confirmedVersion + 1)
      throw new GapError(`Missed versions ${this.confirmedVersion + 1}..${change.version - 1}; resynchronise from a snapshot.`);
    const ranges = plain(change.ranges);
    const own = change.author === this.clientId && change.editId != null;
    if (own && this.#headInFlight && this.#pending[0].editId === change.editId) return this.#acknowledge(change.version, ranges);
    // A change this client expected the server to refuse (it never should be applied): the server's text is the truth.
    if (own) this.#expectedRejections.delete(change.editId);
    return this.#integrate(change.version, ranges, relationOf(this.clientId, change.author), [], []);
  }

  /** The server refused the request in flight (409, or another 4xx): undo it and keep the later ones. */
  onRejected(editId) {
    if (this.#expectedRejections.delete(editId)) return nothing();
    if (!this.#headInFlight || this.#pending[0].editId !== editId) return nothing();
    this.#headInFlight = false;
    const local = this.#pending[0].kind === 'edit' ? this.#rollBack(0, this.confirmedText) : [];
    this.#pending.splice(0, 1);
    return { localChanges: local.length ? [local] : [], toSend: this.#sendHeadIfIdle(), rolledBack: [editId] };
  }

  /**
   * Starts again from a snapshot (the stream could not go on with deltas). `inFlightIncluded`: the request in flight
   * is known to be in the snapshot (its POST answered with a version at or below the snapshot's); otherwise it stays
   * in flight (its acknowledgement or rejection is still to come). The difference between the confirmed text and the
   * snapshot is then one change the pending edits are rebased over, as a merged change: their text wins, and the
   * server decides on any overlap with another person's text when they reach it.
   */
  onSnapshot(text, version, inFlightIncluded) {
    if (version < this.confirmedVersion) return nothing();
    if (this.#headInFlight && inFlightIncluded) {
      const head = this.#pending.shift();
      this.#headInFlight = false;
      if (head.kind === 'edit') this.confirmedText = apply(this.confirmedText, head.ranges);
    }
    this.#expectedRejections.clear();
    return this.#integrate(version, diff(this.confirmedText, text), Relation.merge, [], []);
  }

  #nextId() { return `${this.editPrefix}:${++this.#counter}`; }

  #acknowledge(version, ranges) {
    const head = this.#pending[0];
    this.#headInFlight = false;
    if (head.kind === 'edit' && sameRanges(head.ranges, withoutNoOps(ranges))) {
      this.confirmedText = apply(this.confirmedText, ranges);
      this.confirmedVersion = version;
      this.#pending.shift();
      return { localChanges: [], toSend: this.#sendHeadIfIdle(), rolledBack: [] };
    }
    // A regenerate's masking (or, should it ever differ, the server's copy of an edit): undo what this client showed
    // for it, then apply the server's change like the same client's change.
    const localChanges = [];
    if (head.kind === 'edit') {
      const undo = this.#rollBack(0, this.confirmedText);
      if (undo.length) localChanges.push(undo);
    }
    this.#pending.shift();
    return this.#integrate(version, ranges, Relation.merge, localChanges, []);
  }

  /** Another change: transformed past each pending request in turn, the last form applied to the local text. */
  #integrate(version, ranges, relation, localChanges, rolledBack) {
    const changedText = apply(this.confirmedText, ranges);
    let baseText = this.confirmedText; // the text the next pending edit and the transformed change both refer to
    let incoming = ranges;
    for (let i = 0; i < this.#pending.length;) {
      const item = this.#pending[i];
      if (item.kind === 'regenerate') {
        const regions = transformRegions(item.regions, incoming, relation);
        if (regions === null) {
          this.#dropOrExpect(i);
          rolledBack.push(item.editId);
          this.#pending.splice(i, 1);
          continue;
        }
        item.regions = regions;
        i++;
        continue;
      }
      const outcome = transform(item.ranges, incoming, relation);
      if (outcome.conflict !== null) {
        this.#dropOrExpect(i);
        const undo = this.#rollBack(i, baseText);
        if (undo.length) localChanges.push(undo);
        rolledBack.push(item.editId);
        this.#pending.splice(i, 1);
        continue;
      }
      baseText = apply(baseText, item.ranges);
      item.ranges = outcome.edit;
      incoming = outcome.change;
      i++;
    }
    if (incoming.length) localChanges.push(incoming);
    this.text = apply(this.text, incoming);
    this.confirmedText = changedText;
    this.confirmedVersion = version;
    return { localChanges, toSend: this.#sendHeadIfIdle(), rolledBack };
  }

  /** The request in flight meets the same conflict on the server: its 409 will follow and is expected. */
  #dropOrExpect(i) {
    if (i === 0 && this.#headInFlight) {
      this.#expectedRejections.add(this.#pending[0].editId);
      this.#headInFlight = false;
    }
  }

  /**
   * Undoes pending edit `index` (whose base text is `baseText`): later requests are transformed past its inverse, as
   * the same client's change. Returns the change to the local text; the caller removes the edit.
   */
  #rollBack(index, baseText) {
    let undo = inverse(baseText, this.#pending[index].ranges);
    for (let i = index + 1; i < this.#pending.length; i++) {
      const item = this.#pending[i];
      if (item.kind === 'regenerate') {
        item.regions = transformRegions(item.regions, undo, Relation.merge);
        continue;
      }
      const outcome = transform(item.ranges, undo, Relation.merge);
      item.ranges = outcome.edit;
      undo = outcome.change;
    }
    this.text = apply(this.text, undo);
    return undo;
  }

  #sendHeadIfIdle() {
    if (this.#headInFlight || this.#pending.length === 0) return null;
    this.#headInFlight = true;
    this.#pending[0].baseVersion = this.confirmedVersion;
    // A copy: the queued one keeps being transformed while the request is on its way.
    return structuredClone(this.#pending[0]);
  }
}

/** Thrown for a version gap in the stream: the client must start again from a snapshot. */
export class GapError extends Error {}

const nothing = () => ({ localChanges: [], toSend: null, rolledBack: [] });

/** Each region as a one-range edit through the change (as the server rebases regenerate ranges); null on a conflict. */
function transformRegions(regions, change, relation) {
  const result = [];
  for (const region of regions) {
    const outcome = transform([{ start: region.start, end: region.end, text: MARKER }], change, relation);
    if (outcome.conflict !== null) return null;
    result.push({ ...region, start: outcome.edit[0].start, end: outcome.edit.at(-1).end });
  }
  return result;
}

/** One range that turns `a` into `b` (common prefix and suffix kept). */
export function diff(a, b) {
  if (a === b) return [];
  let prefix = 0;
  const max = Math.min(a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  // Do not split a surrogate pair.
  if (prefix > 0 && isHighSurrogate(a.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && isLowSurrogate(a.charCodeAt(a.length - suffix))) suffix--;
  return [{ start: prefix, end: a.length - suffix, text: b.slice(prefix, b.length - suffix) }];
}

const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c) => c >= 0xdc00 && c <= 0xdfff;
