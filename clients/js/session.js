// connect(baseUrl, key, sessionId): a live, collaborative copy of one SeedGrains session. Reads the event stream
// (snapshot, then deltas) with fetch, keeps the local text with this client's unacknowledged edits on top
// (ClientDocument), sends edits one at a time, and resumes the stream with Last-Event-ID after a dropped connection.
import { ClientDocument, GapError } from './client-document.js';
import { readEventStream } from './event-stream.js';
import { apply, inverse, validate } from './range-set.js';
import { mapPoint } from './positions.js';

const MASK = '<|mask|>';
const HISTORY = 512; // recent changes kept to move presence positions of older versions to the local text

/**
 * Opens a session's event stream and resolves once its first snapshot has arrived.
 * @param {string} baseUrl e.g. "http://127.0.0.1:5080" (or "" for the page's own origin)
 * @param {string} key an API key (sent as `Authorization: Bearer`)
 * @param {string} sessionId "s_…"
 * @param {object} [options] clientId, displayName, fetch, retryDelayMs (first reconnect delay), presenceEveryMs
 */
export async function connect(baseUrl, key, sessionId, options = {}) {
  const session = new Session(baseUrl, key, sessionId, options);
  await session.opened;
  return session;
}

export class Session {
  #baseUrl;
  #key;
  #fetch;
  #options;
  #doc = null;
  #listeners = new Map();
  #closed = false;
  #streamAbort = null;
  #lastEventId = null;
  #progress = { status: null, masked: 0, regions: [], error: undefined };
  #history = [];
  #peers = new Map();
  #post = null; // the POST in flight: {editId, version (once answered), done}
  #backlog = null; // stream events held while a snapshot waits for the POST in flight to settle
  #presenceWanted = null;
  #presenceSending = false;
  #presenceTimer = null;
  #waiters = [];

  constructor(baseUrl, key, sessionId, options) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#key = key;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#options = options;
    this.id = sessionId;
    this.clientId = options.clientId ?? `c_${randomHex(8)}`;
    this.displayName = options.displayName ?? this.clientId;
    this.editPrefix = `${this.clientId}.${randomHex(4)}`;
    this.opened = new Promise((resolve, reject) => {
      this.#resolveOpened = resolve;
      this.#rejectOpened = reject;
    });
    this.#runStream();
  }

  #resolveOpened;
  #rejectOpened;

  /** The local text: the server's confirmed text with this client's pending edits applied. */
  get text() { return this.#doc?.text ?? ''; }

  /** The last server version this client has applied. */
  get version() { return this.#doc?.confirmedVersion ?? 0; }

  /** The server's text at `version` (without this client's pending edits). */
  get confirmedText() { return this.#doc?.confirmedText ?? ''; }

  /** This client's requests not yet acknowledged by the stream (0: in sync with the server). */
  get pendingCount() { return this.#doc?.pending.length ?? 0; }

  /** `denoising`, `idle`, `cancelled` or `failed` (as of `version`). */
  get status() { return this.#progress.status; }

  /** Masked tokens left in the document. */
  get masked() { return this.#progress.masked; }

  get error() { return this.#progress.error; }

  /** Regions being generated, in local-text offsets: {start, end, masked, firstMask}. */
  get regions() {
    return this.#progress.regions.map((r) => ({
      start: this.#toLocal(r.start), end: this.#toLocal(r.end, true), masked: r.masked, firstMask: this.#toLocal(r.firstMask),
    }));
  }

  /** The `<|mask|>` placeholders of the local text (inside regions, from their first mask on): [{start, end}]. */
  get masks() {
    const text = this.text;
    const masks = [];
    for (const region of this.regions) {
      let at = text.indexOf(MASK, region.firstMask);
      while (at >= 0 && at + MASK.length <= region.end) {
        masks.push({ start: at, end: at + MASK.length });
        at = text.indexOf(MASK, at + MASK.length);
      }
    }
    return masks;
  }

  /** Other clients present: [{clientId, displayName, cursor, selection}] in local-text offsets (null where unknown). */
  get peers() {
    return [...this.#peers.values()].map((p) => ({
      clientId: p.clientId,
      displayName: p.displayName ?? p.clientId,
      cursor: p.cursor == null ? null : this.#fromVersion(p.cursor, p.version),
      selection: p.selection == null ? null : { start: this.#fromVersion(p.selection.start, p.version), end: this.#fromVersion(p.selection.end, p.version) },
    })).filter((p) => p.cursor !== undefined);
  }

  /** `on('change' | 'progress' | 'presence' | 'rollback' | 'resync' | 'connection' | 'error', handler)`; returns an unsubscribe function. */
  on(event, handler) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) { this.#listeners.get(event)?.delete(handler); }

  /**
   * Edits the local text at once: `ranges` (one {start, end, text} or a list, sorted and non-overlapping) of `text`.
   * Sent to the server when no earlier edit is in flight; rebased over whatever arrives meanwhile.
   */
  edit(ranges) {
    ranges = Array.isArray(ranges) ? ranges : [ranges];
    validate(ranges, this.text.length);
    this.#sendIfAny(this.#requireDoc().localEdit(ranges));
  }

  /**
   * Asks the model to rewrite ranges of the local text (one {start, end, maxTokens?} or a list); `decoding` as in
   * docs/api.md (policy, maxSteps, …). The text changes when the server's masking arrives. Returns the request's editId.
   */
  regenerate(regions, { decoding } = {}) {
    regions = Array.isArray(regions) ? regions : [regions];
    const doc = this.#requireDoc();
    for (const r of regions) {
      if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.start <= r.end && r.end <= doc.text.length))
        throw new RangeError(`Region [${r.start}, ${r.end}) is not within the text (length ${doc.text.length}).`);
    }
    this.#sendIfAny(doc.localRegenerate(regions, decoding));
    return doc.pending.at(-1).editId;
  }

  /** Tells the others where this client's cursor (and selection) is, in local-text offsets. */
  setPresence({ cursor, selection = null, displayName } = {}) {
    if (displayName) this.displayName = displayName;
    this.#presenceWanted = { cursor, selection };
    this.#sendPresence();
    if (!this.#presenceTimer && this.#options.presenceEveryMs !== 0) {
      // The server forgets a client silent for 30 s.
      this.#presenceTimer = setInterval(() => this.#sendPresence(), this.#options.presenceEveryMs ?? 20_000);
      this.#presenceTimer.unref?.();
    }
  }

  /** Cancels the model's work on this session (DELETE /v1/sessions/{id}). */
  async cancel() {
    const response = await this.#request('DELETE', `/v1/sessions/${this.id}`);
    if (!response.ok) throw await problem(response);
  }

  /** Resolves when every edit of this client has been acknowledged or rolled back (pendingCount is 0). */
  synced() {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops the stream and the presence timer. */
  close() {
    this.#closed = true;
    clearInterval(this.#presenceTimer);
    this.#streamAbort?.abort();
    this.#emit('connection', { state: 'closed' });
  }

  #requireDoc() {
    if (!this.#doc) throw new Error('The session is not open yet: await connect(…).');
    if (this.#closed) throw new Error('The session is closed.');
    return this.#doc;
  }

  #emit(event, payload) {
    for (const handler of this.#listeners.get(event) ?? []) {
      try { handler(payload); } catch (error) { queueMicrotask(() => { throw error; }); }
    }
  }

  #request(method, path, body, extraHeaders = {}, signal = undefined) {
    const headers = { Authorization: `Bearer ${this.#key}`, ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return this.#fetch(`${this.#baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  }

  // ---- the event stream ----

  async #runStream() {
    let delay = this.#options.retryDelayMs ?? 250;
    while (!this.#closed) {
      const abort = new AbortController();
      this.#streamAbort = abort;
      try {
        const headers = { Accept: 'text/event-stream' };
        if (this.#lastEventId !== null) headers['Last-Event-ID'] = String(this.#lastEventId);
        const response = await this.#request('GET', `/v1/sessions/${this.id}/events?follow=true`, undefined, headers, abort.signal);
        if (!response.ok) {
          const error = await problem(response);
          if ([400, 401, 403, 404].includes(response.status)) return this.#fail(error);
          throw error;
        }
        this.#emit('connection', { state: 'open', resumedFrom: this.#lastEventId });
        delay = this.#options.retryDelayMs ?? 250;
        await readEventStream(response, (e) => this.#onStreamEvent(e));
      } catch (error) {
        if (this.#closed) return;
        if (!this.#doc) this.#emit('error', error);
      }
      if (this.#closed) return;
      this.#emit('connection', { state: 'reconnecting', resumedFrom: this.#lastEventId });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  #fail(error) {
    this.#closed = true;
    clearInterval(this.#presenceTimer);
    this.#rejectOpened(error);
    this.#emit('error', error);
    this.#emit('connection', { state: 'closed', error });
  }

  #onStreamEvent(e) {
    if (this.#backlog) return void this.#backlog.push(e);
    const data = JSON.parse(e.data);
    try {
      if (e.event === 'snapshot') this.#onSnapshot(data, e);
      else if (e.event === 'change') this.#onChange(data);
      else if (e.event === 'presence') this.#onPresence(data);
    } catch (error) {
      if (!(error instanceof GapError)) this.#emit('error', error);
      // Start again from a snapshot: reconnect without Last-Event-ID.
      this.#lastEventId = null;
      this.#streamAbort?.abort();
    }
  }

  #onSnapshot(data, e) {
    if (!this.#doc) {
      this.#doc = new ClientDocument(this.clientId, data.text, data.version, this.editPrefix);
      this.#setProgress(data);
      this.#lastEventId = data.version;
      this.#resolveOpened(this);
      this.#emit('progress', this.#progressEvent());
      return;
    }
    if (this.#doc.inFlight && this.#post?.version === undefined) {
      // Whether the edit in flight is in this snapshot is known only once its POST answers: hold the stream till then.
      this.#backlog = [e];
      return;
    }
    const included = this.#post?.version !== undefined && this.#post.version <= data.version;
    const previous = this.text;
    this.#history = [];
    this.#emit('resync', { version: data.version });
    const update = this.#doc.onSnapshot(data.text, data.version, included);
    this.#setProgress(data);
    this.#applyUpdate(update, { version: data.version, author: null, snapshot: true }, previous);
    this.#lastEventId = data.version;
    this.#emit('progress', this.#progressEvent());
  }

  #onChange(data) {
    const ranges = data.ops ?? [];
    const previous = this.text;
    const before = this.#doc.confirmedVersion;
    const update = this.#doc.onServerChange({ version: data.version, author: data.author ?? null, editId: data.editId ?? null, ranges });
    if (this.#doc.confirmedVersion > before) {
      this.#history.push({ version: data.version, ranges });
      if (this.#history.length > HISTORY) this.#history.shift();
    }
    // The regions in the event are the new version's: set them before the change is told, so that a handler reading
    // `regions` or `masks` sees them on the new text (the old ones may point past its end).
    if (data.status !== undefined) this.#setProgress(data);
    this.#applyUpdate(update, { version: data.version, author: data.author ?? null, editId: data.editId ?? null }, previous);
    this.#lastEventId = this.#doc.confirmedVersion;
    if (data.status !== undefined) this.#emit('progress', this.#progressEvent());
  }

  #onPresence(data) {
    if (data.clientId === this.clientId) return;
    if (data.left) this.#peers.delete(data.clientId);
    else this.#peers.set(data.clientId, data);
    this.#emit('presence', { clientId: data.clientId, displayName: data.displayName ?? data.clientId, left: !!data.left });
  }

  #setProgress(data) {
    this.#progress = { status: data.status, masked: data.masked ?? 0, regions: data.regions ?? [], error: data.error };
  }

  #progressEvent() {
    return { version: this.version, status: this.status, masked: this.masked, regions: this.regions, error: this.error };
  }

  #applyUpdate(update, origin, previousText) {
    if (update.localChanges.length > 0) this.#emit('change', { ...origin, changes: update.localChanges, previousText, text: this.text });
    if (update.rolledBack.length > 0) this.#emit('rollback', { editIds: update.rolledBack, reason: 'conflict' });
    this.#sendIfAny(update.toSend);
    this.#notifySynced();
  }

  #notifySynced() {
    if (this.pendingCount !== 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- sending edits ----

  #sendIfAny(item) {
    if (item) this.#send(item);
  }

  async #send(item) {
    const body = item.kind === 'edit'
      ? { baseVersion: item.baseVersion, clientId: this.clientId, editId: item.editId, edits: item.ranges }
      : { baseVersion: item.baseVersion, clientId: this.clientId, editId: item.editId, regenerate: item.regions, ...(item.decoding ? { decoding: item.decoding } : {}) };
    const post = { editId: item.editId, version: undefined };
    this.#post = post;
    let delay = this.#options.retryDelayMs ?? 250;
    for (;;) {
      let response;
      try {
        response = await this.#request('POST', `/v1/sessions/${this.id}/edits`, body);
      } catch (error) {
        // The request may not have reached the server. Sent again with the same editId and base: the server
        // recognises an edit it already applied (same clientId and editId since that base) and applies it once.
        if (this.#closed) return;
        this.#emit('error', error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
        continue;
      }
      if (response.ok) {
        post.version = (await response.json()).version;
        break;
      }
      if ((response.status === 429 || response.status >= 500) && !this.#closed) {
        await response.arrayBuffer().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(response) ?? delay));
        delay = Math.min(delay * 2, 10_000);
        continue;
      }
      const error = await problem(response);
      post.version = -1;
      const previous = this.text;
      const update = this.#doc.onRejected(item.editId);
      if (update.localChanges.length > 0) this.#emit('change', { version: this.version, author: this.clientId, editId: item.editId, rejected: true, changes: update.localChanges, previousText: previous, text: this.text });
      this.#emit('rollback', { editIds: [item.editId], reason: error.status === 409 ? 'conflict' : 'rejected', problem: error });
      this.#releaseBacklog(post);
      this.#sendIfAny(update.toSend);
      this.#notifySynced();
      return;
    }
    this.#releaseBacklog(post);
  }

  #releaseBacklog(post) {
    if (this.#post === post && post.version === -1) this.#post = null;
    const backlog = this.#backlog;
    if (!backlog) return;
    this.#backlog = null;
    for (const e of backlog) this.#onStreamEvent(e);
  }

  // ---- presence ----

  async #sendPresence() {
    if (this.#presenceSending || !this.#presenceWanted || !this.#doc || this.#closed) return;
    this.#presenceSending = true;
    try {
      const { cursor, selection } = this.#presenceWanted;
      const body = { clientId: this.clientId, displayName: this.displayName, baseVersion: this.version };
      if (cursor != null) body.cursor = this.#toConfirmed(cursor);
      if (selection) {
        const start = this.#toConfirmed(selection.start);
        body.selection = { start, end: Math.max(start, this.#toConfirmed(selection.end)) };
      }
      const wanted = this.#presenceWanted;
      const response = await this.#request('POST', `/v1/sessions/${this.id}/presence`, body);
      if (!response.ok) throw await problem(response);
      // The cursor moved while this was on its way: send the newest position too.
      if (this.#presenceWanted !== wanted) queueMicrotask(() => this.#sendPresence());
    } catch (error) {
      this.#emit('error', error);
    } finally {
      this.#presenceSending = false;
    }
  }

  // ---- positions ----

  /** A position of the confirmed text, moved through the pending edits to the local text. */
  #toLocal(position, after = false) {
    for (const item of this.#doc?.pending ?? []) {
      if (item.kind === 'edit') position = mapPoint(position, item.ranges, after);
    }
    return position;
  }

  /** A position of the local text, moved back through the pending edits to the confirmed text. */
  #toConfirmed(position) {
    const edits = (this.#doc?.pending ?? []).filter((item) => item.kind === 'edit');
    const texts = [this.confirmedText];
    for (const item of edits) texts.push(apply(texts.at(-1), item.ranges));
    for (let i = edits.length - 1; i >= 0; i--) position = mapPoint(position, inverse(texts[i], edits[i].ranges));
    return Math.min(position, this.confirmedText.length);
  }

  /** A position in the text of `version`, moved to the local text (undefined when that version is unknown here). */
  #fromVersion(position, version) {
    if (version > this.version) return undefined;
    if (version < this.version) {
      const first = this.#history.findIndex((c) => c.version === version + 1);
      if (first < 0) return undefined;
      for (const change of this.#history.slice(first)) position = mapPoint(position, change.ranges);
    }
    return this.#toLocal(position);
  }
}

async function problem(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  const error = new Error(body?.detail ?? body?.title ?? `HTTP ${response.status}`);
  error.status = response.status;
  error.problem = body;
  return error;
}

function retryAfterMs(response) {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

function randomHex(bytes) {
  const values = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(values);
  return [...values].map((b) => b.toString(16).padStart(2, '0')).join('');
}
