// The playground: a small collaborative editor on the SeedGrains client (clients/js, served at /client/). The
// textarea holds the text; a backdrop behind it draws the same characters with the regions being generated, the
// mask placeholders still to fill, the model's newest tokens, and the other clients' cursors and names.
import { connect, mapPoint } from '/client/index.js';

const $ = (id) => document.getElementById(id);
const code = $('code');
const backdrop = $('backdrop');
const KEY = 'seedgrains.key';
const NAME = 'seedgrains.name';

let session = null;
let fresh = []; // ranges of the local text the model wrote in its latest step
let run = null; // the regeneration being watched: {steps, initialMasked}

// The API key lives in sessionStorage (this tab only), never in the URL; the session id is in the fragment.
$('key').value = sessionStorage.getItem(KEY) ?? '';
$('name').value = sessionStorage.getItem(NAME) ?? '';
$('key').addEventListener('change', () => { sessionStorage.setItem(KEY, $('key').value.trim()); openFromLink(); });
$('name').addEventListener('change', () => {
  sessionStorage.setItem(NAME, $('name').value.trim());
  if (session) session.setPresence({ ...caret(), displayName: displayName() });
});
$('new').addEventListener('click', () => guard(() => createSession([])));
$('regenerate').addEventListener('click', () => guard(regenerateSelection));
$('cancel').addEventListener('click', () => guard(() => session?.cancel()));
code.addEventListener('input', onInput);
code.addEventListener('scroll', () => { backdrop.scrollTop = code.scrollTop; backdrop.scrollLeft = code.scrollLeft; });
for (const event of ['keyup', 'mouseup', 'select', 'focus']) code.addEventListener(event, sendPresence);
window.addEventListener('hashchange', openFromLink);
render();
openFromLink();

function key() { return $('key').value.trim(); }
function displayName() { return $('name').value.trim() || 'guest'; }
function caret() {
  const { selectionStart: start, selectionEnd: end } = code;
  return { cursor: end, selection: start === end ? null : { start, end } };
}

async function guard(action) {
  $('message').textContent = '';
  try {
    await action();
  } catch (error) {
    $('message').textContent = error.message;
  }
}

function decoding() {
  const result = {};
  if ($('policy').value) result.policy = $('policy').value;
  if ($('steps').value) result.maxSteps = Number($('steps').value);
  return Object.keys(result).length ? result : undefined;
}

/** Creates a session from the editor's text (with `regions` to generate at once) and opens it. */
async function createSession(regions) {
  if (!key()) throw new Error('Enter an API key first.');
  sessionStorage.setItem(KEY, key());
  const body = { text: code.value, regions };
  if (regions.length && decoding()) body.decoding = decoding();
  const response = await fetch('/v1/sessions', {
    method: 'POST', headers: { Authorization: `Bearer ${key()}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${answer.title}: ${answer.detail ?? ''}`);
  if (regions.length) run = { steps: 0, initialMasked: 0 };
  history.replaceState(null, '', `#session=${answer.id}`);
  await open(answer.id);
}

async function regenerateSelection() {
  const { selectionStart: start, selectionEnd: end } = code;
  if (!session) return createSession([{ start, end }]);
  run = { steps: 0, initialMasked: session.masked };
  session.regenerate({ start, end }, { decoding: decoding() });
  return undefined;
}

function sessionIdFromLink() {
  const match = /(?:^#|&)session=(s_[A-Za-z0-9_-]+)/.exec(location.hash);
  return match ? match[1] : null;
}

function openFromLink() {
  const id = sessionIdFromLink();
  if (id && key() && id !== session?.id) guard(() => open(id));
}

async function open(id) {
  session?.close();
  session = null;
  const opened = await connect('', key(), id, { displayName: displayName() });
  session = opened;
  code.value = opened.text;
  $('share').href = `${location.origin}${location.pathname}#session=${id}`;
  $('share').textContent = $('share').href;
  $('share-box').hidden = false;
  $('cancel').disabled = false;
  opened.on('change', onRemoteChange);
  opened.on('progress', onProgress);
  opened.on('presence', render);
  opened.on('rollback', (e) => { $('message').textContent = `Your edit was undone: ${e.problem?.message ?? 'it overlapped another person\'s change'}.`; });
  opened.on('connection', (e) => { if (e.state === 'reconnecting') $('message').textContent = 'Connection lost, resuming…'; else if (e.state === 'open') $('message').textContent = ''; });
  opened.on('error', (error) => { $('message').textContent = error.message; });
  onProgress();
  sendPresence();
}

/** The user typed: one replaced range between the old and the new text (common prefix and suffix kept). */
function onInput() {
  if (!session) return render();
  const before = session.text;
  const after = code.value;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  session.edit({ start, end: before.length - tail, text: after.slice(start, after.length - tail) });
  fresh = [];
  sendPresence();
  render();
}

/** A change from the server (the model's step, someone else's edit, or an undo): keep the caret where it was. */
function onRemoteChange(e) {
  let { selectionStart: start, selectionEnd: end } = code;
  const focused = document.activeElement === code;
  let newest = [];
  for (const ranges of e.changes) {
    start = mapPoint(start, ranges);
    end = mapPoint(end, ranges);
    newest = newest.map((r) => ({ start: mapPoint(r.start, ranges), end: mapPoint(r.end, ranges, true) }));
    let shift = 0;
    for (const r of ranges) {
      newest.push({ start: r.start + shift, end: r.start + shift + r.text.length });
      shift += r.text.length - (r.end - r.start);
    }
  }
  code.value = e.text;
  if (focused) code.setSelectionRange(start, Math.max(start, end));
  if (e.author === 'model') {
    fresh = newest.filter((r) => r.end > r.start);
    if (run) run.steps++;
  }
  render();
}

function onProgress() {
  if (!session) return;
  const { status, masked, version } = session;
  if (run && masked > run.initialMasked) run.initialMasked = masked;
  const total = run?.initialMasked || masked;
  $('progress').value = total ? (total - masked) / total : status === 'denoising' ? 0 : 1;
  const steps = run ? `step ${run.steps}${decoding()?.maxSteps ? ` of ≤ ${decoding().maxSteps}` : ''} · ` : '';
  $('status').textContent = `${status} · ${steps}${masked} masked · version ${version}`;
  document.body.dataset.status = status;
  document.body.dataset.version = String(version);
  document.body.dataset.pending = String(session.pendingCount);
  if (status !== 'denoising' && run) run = null;
  render();
}

function sendPresence() {
  if (session) session.setPresence({ ...caret(), displayName: displayName() });
}

// ---- drawing the backdrop ----

function render() {
  const text = code.value;
  const regions = session ? session.regions : [];
  const masks = session ? session.masks : [];
  const peers = session ? session.peers : [];
  if (session) document.body.dataset.pending = String(session.pendingCount);
  const colour = new Map(peers.map((p) => [p.clientId, `peer-${hash(p.clientId) % 6}`]));

  const marks = [];
  for (const r of regions) marks.push({ start: r.start, end: r.end, cls: 'region' });
  for (const m of masks) marks.push({ start: m.start, end: m.end, cls: 'mask' });
  for (const f of fresh) marks.push({ start: f.start, end: f.end, cls: 'fresh' });
  for (const p of peers) {
    if (p.selection && p.selection.end > p.selection.start) marks.push({ ...p.selection, cls: `peer-selection ${colour.get(p.clientId)}` });
  }
  const cuts = new Set([0, text.length]);
  for (const m of marks) { cuts.add(clamp(m.start, text)); cuts.add(clamp(m.end, text)); }
  for (const p of peers) if (p.cursor != null) cuts.add(clamp(p.cursor, text));
  const points = [...cuts].sort((a, b) => a - b);

  const fragment = document.createDocumentFragment();
  for (let i = 0; i < points.length; i++) {
    const at = points[i];
    for (const p of peers) {
      if (p.cursor != null && clamp(p.cursor, text) === at) fragment.append(cursorMark(p, colour.get(p.clientId)));
    }
    if (i + 1 >= points.length) break;
    const next = points[i + 1];
    const classes = marks.filter((m) => m.start <= at && next <= m.end && m.start < m.end).map((m) => m.cls);
    const piece = text.slice(at, next);
    if (classes.length === 0) fragment.append(piece);
    else {
      const span = document.createElement('span');
      span.className = classes.join(' ');
      span.textContent = piece;
      fragment.append(span);
    }
  }
  fragment.append('\n '); // the textarea scrolls one line past the end
  backdrop.replaceChildren(fragment);
  backdrop.scrollTop = code.scrollTop;
  backdrop.scrollLeft = code.scrollLeft;

  const list = $('peers');
  list.replaceChildren(...peers.map((p) => {
    const item = document.createElement('li');
    item.className = colour.get(p.clientId);
    item.textContent = p.displayName;
    return item;
  }));
}

function cursorMark(peer, cls) {
  const mark = document.createElement('span');
  mark.className = `peer-cursor ${cls}`;
  const name = document.createElement('span');
  name.className = 'peer-name';
  name.textContent = peer.displayName;
  mark.append(name);
  return mark;
}

const clamp = (n, text) => Math.max(0, Math.min(text.length, n));

function hash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}
