// The transform of a person's edit E and a concurrent change C of the same text (docs/api.md, "Collaborative editing:
// the transform"): E′ (E for C(T)) and C′ (C for E(T)) with E′(C(T)) = C′(E(T)). A line-for-line port of the server's
// ConcurrentTransform / TransformPlan, so a client and the server rebase the same way.
import { isInsertion, isNoOp, withoutNoOps } from './range-set.js';

/** How an edit meets a change: the model's or the same client's change merges; another person's may conflict. */
export const Relation = Object.freeze({ merge: 'merge', otherPerson: 'otherPerson' });

/** The author name of the model's changes (reserved: no client may use it). */
export const MODEL = 'model';

/** The relation of an edit by `clientId` to a change by `author` (anonymous authors, null, are never the same client). */
export const relationOf = (clientId, author) =>
  author === MODEL || (author != null && clientId != null && author === clientId) ? Relation.merge : Relation.otherPerson;

/**
 * Whether two ranges of one text overlap: both non-empty and sharing a code unit, or one an insertion strictly
 * inside the other. Touching ranges and insertions at the same point do not.
 */
export function overlaps(a, b) {
  if (isInsertion(a)) return !isInsertion(b) && b.start < a.start && a.start < b.end;
  if (isInsertion(b)) return a.start < b.start && b.start < a.end;
  return Math.max(a.start, b.start) < Math.min(a.end, b.end);
}

/**
 * Transforms `edit` and `change` (valid range sets of one text, `change` applied first) past each other.
 * @returns {{edit: Array, change: Array, conflict: null} | {edit: null, change: null, conflict: number}}
 *   `conflict` is the index of the change's first range the edit overlaps (only for Relation.otherPerson).
 */
export function transform(edit, change, relation) {
  edit = withoutNoOps(edit);
  if (relation === Relation.otherPerson) {
    const conflicting = firstConflict(edit, change);
    if (conflicting !== null) return { edit: null, change: null, conflict: conflicting };
  }
  change = withoutNoOps(change);
  const pieces = layOut(edit, change);
  return { edit: rangesOf(pieces, true), change: rangesOf(pieces, false), conflict: null };
}

function firstConflict(edit, change) {
  for (let j = 0; j < change.length; j++) {
    if (isNoOp(change[j])) continue;
    for (const e of edit) {
      if (e.start > change[j].end) break;
      if (overlaps(e, change[j])) return j;
    }
  }
  return null;
}

// A piece of the merged layout: `changed` code units of C(T), `edited` of E(T), `final` text (null: untouched T),
// and whether E′ / C′ replace it.
const piece = (changed, edited, final, inEdit, inChange) => ({ changed, edited, final, inEdit, inChange });
const isEmptyPiece = (p) => p.changed === 0 && p.edited === 0 && p.final === '';

/** E′ (positions in C(T)) or C′ (positions in E(T)): runs of pieces inside it, joined across pieces empty on that side. */
function rangesOf(pieces, forEdit) {
  const ranges = [];
  let position = 0;
  let start = null;
  let text = '';
  const close = (end) => {
    if (start !== end || text.length > 0) ranges.push({ start, end, text });
    start = null;
    text = '';
  };
  for (const p of pieces) {
    const length = forEdit ? p.changed : p.edited;
    if (forEdit ? p.inEdit : p.inChange) {
      if (start === null) start = position;
      text += p.final;
    } else if (start !== null && length > 0) {
      close(position);
    }
    position += length;
  }
  if (start !== null) close(position);
  return ranges;
}

function layOut(edit, change) {
  const { clusters, editCluster, changeCluster } = findClusters(edit, change);
  const attached = new Array(change.length).fill(null);
  const units = [];
  for (let i = 0; i < edit.length; i++) {
    const e = edit[i];
    if (editCluster[i] >= 0) continue;
    if (!isInsertion(e)) {
      units.push({ start: e.start, end: e.end, kind: 'edit', index: i });
      continue;
    }
    const joined = clusters.findIndex((k) => k.start <= e.start && e.start < k.end);
    if (joined >= 0) {
      clusters[joined].edits.push(i);
      continue;
    }
    const holder = standaloneChangeHolding(change, e.start, changeCluster);
    if (holder >= 0) (attached[holder] ??= []).push(i);
    else units.push({ start: e.start, end: e.start, kind: 'edit', index: i });
  }
  for (let j = 0; j < change.length; j++) {
    if (changeCluster[j] < 0) units.push({ start: change[j].start, end: change[j].end, kind: 'change', index: j });
  }
  clusters.forEach((k, index) => units.push({ start: k.start, end: k.end, kind: 'cluster', index }));
  // Ranges do not overlap, so (start, end) orders units; an empty unit precedes a range starting at its point.
  units.sort((a, b) => (a.start !== b.start ? a.start - b.start : a.end - b.end));

  const pieces = [];
  let position = 0;
  for (const unit of units) {
    if (unit.start < position) throw new Error(`Transform units overlap at ${unit.start} (internal error).`);
    if (unit.start > position) pieces.push(piece(unit.start - position, unit.start - position, null, false, false));
    if (unit.kind === 'cluster') addCluster(pieces, clusters[unit.index], edit, change);
    else if (unit.kind === 'edit') addEdit(pieces, edit[unit.index]);
    else addChange(pieces, change[unit.index], attached[unit.index], edit);
    position = unit.end;
  }
  return pieces.filter((p) => !isEmptyPiece(p));
}

function addEdit(pieces, e) {
  pieces.push(piece(e.end - e.start, e.text.length, e.text, true, false));
}

/** C's range keeps its new text; E's insertions attached to it follow that text, and its old text around them goes. */
function addChange(pieces, c, insertions, edit) {
  let previous = c.start;
  let newText = c.text;
  for (const i of insertions ?? []) {
    pieces.push(piece(newText.length, edit[i].start - previous, newText, false, true));
    pieces.push(piece(0, edit[i].text.length, edit[i].text, true, false));
    previous = edit[i].start;
    newText = '';
  }
  pieces.push(piece(newText.length, c.end - previous, newText, false, true));
}

/** The span becomes the edit texts in order: one run on the C(T) side; on the E(T) side the old text between them goes. */
function addCluster(pieces, cluster, edit, change) {
  cluster.edits.sort((a, b) => a - b);
  let changedLength = cluster.end - cluster.start;
  for (const j of cluster.changes) changedLength += change[j].text.length - (change[j].end - change[j].start);
  const takeOnce = () => {
    const taken = changedLength;
    changedLength = 0;
    return taken;
  };
  let position = cluster.start;
  for (const i of cluster.edits) {
    const e = edit[i];
    if (e.start > position) pieces.push(piece(takeOnce(), e.start - position, '', true, true));
    pieces.push(piece(takeOnce(), e.text.length, e.text, true, false));
    position = Math.max(position, e.end);
  }
  if (cluster.end > position) pieces.push(piece(takeOnce(), cluster.end - position, '', true, true));
}

/** C's insertion at the point, or C's range strictly containing it (at most one exists), if it is in no cluster. */
function standaloneChangeHolding(change, point, changeCluster) {
  for (let j = 0; j < change.length && change[j].start <= point; j++) {
    const c = change[j];
    if (changeCluster[j] < 0 && (isInsertion(c) ? c.start === point : c.start < point && point < c.end)) return j;
  }
  return -1;
}

/** Groups of E's non-empty ranges and C's ranges linked by overlaps; only groups with both sides count. */
function findClusters(edit, change) {
  const parent = Array.from({ length: edit.length + change.length }, (_, i) => i);
  const find = (x) => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  for (let i = 0; i < edit.length; i++) {
    if (isInsertion(edit[i])) continue;
    for (let j = 0; j < change.length && change[j].start <= edit[i].end; j++) {
      if (overlaps(edit[i], change[j])) parent[find(edit.length + j)] = find(i);
    }
  }
  const byRoot = new Map();
  for (let node = 0; node < parent.length; node++) {
    const root = find(node);
    let cluster = byRoot.get(root);
    if (!cluster) byRoot.set(root, (cluster = { start: Infinity, end: -Infinity, edits: [], changes: [] }));
    const isEdit = node < edit.length;
    const range = isEdit ? edit[node] : change[node - edit.length];
    (isEdit ? cluster.edits : cluster.changes).push(isEdit ? node : node - edit.length);
    cluster.start = Math.min(cluster.start, range.start);
    cluster.end = Math.max(cluster.end, range.end);
  }
  // Map keeps insertion order; a stable sort by start matches the server's OrderBy.
  const clusters = [...byRoot.values()].filter((k) => k.edits.length > 0 && k.changes.length > 0).sort((a, b) => a.start - b.start);
  const editCluster = new Array(edit.length).fill(-1);
  const changeCluster = new Array(change.length).fill(-1);
  clusters.forEach((k, index) => {
    for (const i of k.edits) editCluster[i] = index;
    for (const j of k.changes) changeCluster[j] = index;
  });
  return { clusters, editCluster, changeCluster };
}
