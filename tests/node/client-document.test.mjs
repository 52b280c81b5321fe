// The client's side of the transform (clients/js ClientDocument) against a simulated server that rebases with the
// same rules (clients/js rebase, checked against the server's cases in transform-cases.test.mjs): several clients and
// the model edit at random, deliveries are delayed and interleaved, and everyone must end on the server's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientDocument, apply, rebase } from '../../clients/js/index.js';
import { seededRandom, randomRanges } from './random-edits.mjs';

const MARKER = '\u0001';

/** The server: text, version, the whole change log; answers a request with a change or a rejection. */
class SimulatedServer {
  constructor(text) {
    this.text = text;
    this.changes = [];
  }

  get version() { return 1 + this.changes.length; }

  commit(author, ranges, editId = null) {
    this.text = apply(this.text, ranges);
    const change = { version: this.version + 1, author, editId, ranges };
    this.changes.push(change);
    return change;
  }

  handle(clientId, request) {
    const log = { version: 1, changes: this.changes };
    if (request.kind === 'edit') {
      const result = rebase({ clientId, baseVersion: request.baseVersion, ranges: request.ranges }, log, this.text.length);
      return result.result === 'rebased' ? this.commit(clientId, result.ranges, request.editId) : null;
    }
    // Regenerate: each region rebased as a one-range edit standing for it, then replaced by placeholders.
    const spans = [];
    for (const region of request.regions) {
      const result = rebase({ clientId, baseVersion: request.baseVersion, ranges: [{ start: region.start, end: region.end, text: MARKER }] }, log, this.text.length);
      if (result.result !== 'rebased') return null;
      spans.push({ start: result.ranges[0].start, end: result.ranges.at(-1).end, text: '##' });
    }
    return this.commit(clientId, spans, request.editId);
  }
}

/** A client with its inbox (changes from the stream) and outbox (its request and the server's answer), both delayed. */
class SimulatedClient {
  constructor(clientId, server) {
    this.doc = new ClientDocument(clientId, server.text, server.version);
    this.seen = 0; // how many of the server's changes were delivered
    this.request = null; // {item, answered: null | 'ok' | 'rejected'}
  }

  deliverChange(server) {
    this.#after(this.doc.onServerChange(server.changes[this.seen++]));
  }

  send(item) {
    this.sent = (this.sent ?? 0) + 1;
    this.request = { item, answer: undefined };
  }

  reachServer(server) {
    const change = server.handle(this.doc.clientId, this.request.item);
    this.request.answer = change ? 'ok' : 'rejected';
  }

  answer() {
    const { item, answer } = this.request;
    this.request = null;
    if (answer === 'rejected') this.#after(this.doc.onRejected(item.editId));
  }

  #after(update) {
    if (update.toSend) this.send(update.toSend);
  }
}

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`four clients and the model converge on the server's text (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const server = new SimulatedServer('def f(x):\n    return x\n');
    const clients = ['ann', 'bob', 'cy', 'dee'].map((id) => new SimulatedClient(id, server));
    let rejected = 0;
    for (let step = 0; step < 400; step++) {
      const client = clients[Math.floor(random() * clients.length)];
      const roll = random();
      if (roll < 0.3) {
        const before = client.doc.text;
        const ranges = randomRanges(random, before.length, 'abc\n');
        const toSend = client.doc.localEdit(ranges);
        assert.equal(client.doc.text, apply(before, ranges));
        if (toSend) client.send(toSend);
      } else if (roll < 0.35) {
        const start = Math.floor(random() * (client.doc.text.length + 1));
        const end = Math.min(client.doc.text.length, start + Math.floor(random() * 4));
        const toSend = client.doc.localRegenerate([{ start, end }]);
        if (toSend) client.send(toSend);
      } else if (roll < 0.45) {
        server.commit('model', randomRanges(random, server.text.length, 'MN'));
      } else if (roll < 0.75) {
        if (client.seen < server.changes.length) client.deliverChange(server);
      } else if (client.request && client.request.answer === undefined) {
        client.reachServer(server);
        if (client.request.answer === 'rejected') rejected++;
      } else if (client.request) {
        client.answer();
      }
    }
    // Drain: every request reaches the server and is answered, every change is delivered.
    for (let settled = false; !settled;) {
      settled = true;
      for (const client of clients) {
        if (client.request?.answer === undefined && client.request) { client.reachServer(server); settled = false; }
        if (client.request) { client.answer(); settled = false; }
        while (client.seen < server.changes.length) { client.deliverChange(server); settled = false; }
      }
    }
    for (const client of clients) {
      assert.equal(client.doc.pending.length, 0, `${client.doc.clientId} has pending edits`);
      assert.equal(client.doc.confirmedVersion, server.version);
      assert.equal(client.doc.text, server.text, `${client.doc.clientId} diverged`);
    }
    const sent = clients.reduce((sum, c) => sum + (c.sent ?? 0), 0);
    assert.ok(sent > 20, `only ${sent} requests`);
    assert.ok(rejected < sent, "every request was rejected");
    console.log(`seed ${seed}: ${sent} requests, ${rejected} rejected, ${server.version} versions`);
  });
}

test('an edit typed inside text the model replaces wins, and its acknowledgement is the client\'s own copy', () => {
  const doc = new ClientDocument('ann', 'x = <m><m><m>\n', 1);
  const sent = doc.localEdit([{ start: 7, end: 10, text: 'foo' }]);
  assert.equal(sent.baseVersion, 1);
  // The model commits over the same placeholders first.
  const update = doc.onServerChange({ version: 2, author: 'model', ranges: [{ start: 4, end: 13, text: 'abc' }] });
  assert.equal(doc.text, 'x = foo\n');
  assert.equal(update.toSend, null);
  assert.deepEqual(doc.pending[0].ranges, [{ start: 4, end: 7, text: 'foo' }]);
  doc.onServerChange({ version: 3, author: 'ann', editId: sent.editId, ranges: [{ start: 4, end: 7, text: 'foo' }] });
  assert.equal(doc.pending.length, 0);
  assert.equal(doc.confirmedText, 'x = foo\n');
});

test('a queued edit that overlaps another person\'s change is rolled back and the in-flight 409 is expected', () => {
  const doc = new ClientDocument('ann', 'hello world', 1);
  const first = doc.localEdit([{ start: 0, end: 5, text: 'HELLO' }]);
  assert.ok(first);
  assert.equal(doc.localEdit([{ start: 6, end: 11, text: 'there' }]), null);
  const update = doc.onServerChange({ version: 2, author: 'bob', editId: 'bob:1', ranges: [{ start: 0, end: 5, text: 'howdy' }] });
  assert.deepEqual(update.rolledBack, [first.editId]);
  assert.equal(doc.text, 'howdy there');
  assert.equal(update.toSend.editId, doc.pending[0].editId);
  assert.equal(update.toSend.baseVersion, 2);
  assert.deepEqual(doc.onRejected(first.editId), { localChanges: [], toSend: null, rolledBack: [] });
});

test('a version gap asks for a snapshot, and a snapshot rebases pending edits over the difference', () => {
  const doc = new ClientDocument('ann', 'abc', 1);
  doc.localEdit([{ start: 3, end: 3, text: '!' }]);
  assert.throws(() => doc.onServerChange({ version: 3, author: 'bob', ranges: [] }), /Missed versions 2\.\.2/);
  const update = doc.onSnapshot('xabc', 3, false);
  assert.equal(doc.text, 'xabc!');
  assert.equal(doc.confirmedVersion, 3);
  assert.equal(update.toSend, null); // still in flight: its answer decides
});
