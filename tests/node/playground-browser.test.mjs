// The playground in a real browser (headless Chromium from Debian's `chromium` package, driven by puppeteer-core):
// two pages on one session type while a region generates; both pages and the server end with the same text, and
// neither page logs an error. Screenshots go to tests/node/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startSilo } from './silo.mjs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const TIMEOUT = 300_000;
// Poll on a timer: puppeteer's default waits for animation frames, which a background tab does not get.
const POLL = { polling: 100 };
const CODE = [
  'def mean(values):',
  '    total = 0',
  '    for v in values:',
  '        total += v',
  '    return total / len(values)',
  '',
  '',
  'def main():',
  '    print(mean([1, 2, 3]))',
  '',
].join('\n');

let silo;
let browser;

before(async () => {
  if (!existsSync(chromium)) throw new Error(`no Chromium at ${chromium}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(artifacts, { recursive: true });
  silo = await startSilo();
  // Two pages work at once: background tabs must keep their timers and animation frames (puppeteer's clicks wait
  // for one), so Chromium's backgrounding is off.
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'],
  });
});

after(async () => {
  await browser?.close();
  await silo?.stop();
});

/** A page that records its console errors (failed loads included) and uncaught exceptions. */
async function newPage(name, errors) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 820 });
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`${name}: ${message.text()}`); });
  page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
  return page;
}

const state = (page) => page.evaluate(() => ({
  text: document.getElementById('code').value,
  status: document.body.dataset.status ?? null,
  version: Number(document.body.dataset.version ?? 0),
  pending: Number(document.body.dataset.pending ?? 0),
  masks: document.querySelectorAll('#backdrop .mask').length,
  peers: [...document.querySelectorAll('#peers li')].map((li) => li.textContent),
  cursors: [...document.querySelectorAll('#backdrop .peer-name')].map((n) => n.textContent),
  statusLine: document.getElementById('status').textContent,
  message: document.getElementById('message').textContent,
}));

/**
 * Puts the caret where `where` says in the page's current text ('start', or before the first mask placeholder, else
 * the end) and types `text` with real key events. Decided in the page: remote changes may arrive at any time.
 */
async function typeAt(page, where, text) {
  await page.bringToFront();
  await page.focus('#code');
  await page.evaluate((w) => {
    const code = document.getElementById('code');
    const mask = code.value.indexOf('<|mask|>');
    const at = w === 'start' ? 0 : mask >= 0 ? mask : code.value.length;
    code.setSelectionRange(at, at);
  }, where);
  await page.keyboard.type(text);
}

async function serverState(id) {
  const response = await fetch(`${silo.baseUrl}/v1/sessions/${id}`, { headers: { Authorization: `Bearer ${silo.devKey}` } });
  assert.equal(response.status, 200);
  return response.json();
}

test('two pages type while a region generates and end with the server\'s text', { timeout: TIMEOUT }, async () => {
  const errors = [];
  const ann = await newPage('ann', errors);
  await ann.goto(`${silo.baseUrl}/`);
  // Paste code, enter the key and a name, start a session.
  await ann.$eval('#code', (el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }, CODE);
  await ann.type('#key', silo.devKey);
  await ann.type('#name', 'Ann');
  await ann.click('#new');
  await ann.waitForFunction(() => document.body.dataset.status === 'idle', POLL);
  const shareLink = await ann.$eval('#share', (a) => a.href);
  assert.match(shareLink, /#session=s_[0-9a-f]+$/);
  assert.ok(!shareLink.includes(silo.devKey), 'the key is in the share link');
  const id = shareLink.split('#session=')[1];

  // Bob opens the link in his own tab: the key is per tab, so he enters it there.
  const bob = await newPage('bob', errors);
  await bob.goto(shareLink);
  await bob.type('#name', 'Bob');
  await bob.type('#key', silo.devKey);
  await bob.keyboard.press('Tab'); // "change" fires: the page opens the session from the link
  await bob.waitForFunction(() => document.body.dataset.status === 'idle', POLL);
  assert.equal((await state(bob)).text, CODE);

  // Ann selects main's body and regenerates it with top-k in 16 steps.
  const bodyStart = CODE.indexOf('    print(');
  const bodyEnd = CODE.length - 1;
  await ann.bringToFront();
  await ann.select('#policy', 'topk');
  await ann.type('#steps', '16');
  await ann.focus('#code');
  await ann.evaluate((s, e) => document.getElementById('code').setSelectionRange(s, e), bodyStart, bodyEnd);
  await ann.click('#regenerate');
  await ann.waitForFunction(() => document.querySelectorAll('#backdrop .mask').length > 0, POLL);
  await bob.waitForFunction(() => document.querySelectorAll('#backdrop .mask').length > 0, POLL);

  // Both type while the model works: at the top of the file, and inside the region being generated.
  let typedWhileGenerating = 0;
  let screenshot = false;
  for (let round = 0; round < 6; round++) {
    const a = await state(ann);
    if (a.status !== 'denoising') break;
    await typeAt(ann, 'start', `# ann ${round}\n`);
    await typeAt(bob, 'mask', ` bob${round} `);
    typedWhileGenerating++;
    if (!screenshot) {
      // Mid-generation: Bob's cursor is shown, and the model has filled some placeholders (or finished already).
      await ann.bringToFront();
      await ann.waitForFunction(() => document.querySelectorAll('#backdrop .peer-name').length > 0, POLL);
      await ann.waitForFunction(() => document.querySelector('#backdrop .fresh') || document.body.dataset.status !== 'denoising', POLL);
      await ann.screenshot({ path: `${artifacts}playground-generating.png` });
      screenshot = true;
    }
  }
  assert.ok(typedWhileGenerating >= 1, 'the region finished before anyone typed');

  // Settle: the model is done, nothing is pending, and both pages show the server's last version.
  for (const page of [ann, bob]) {
    await page.waitForFunction(() => document.body.dataset.status === 'idle' && document.body.dataset.pending === '0', { ...POLL, timeout: 150_000 })
      .catch(async (error) => {
        const detail = JSON.stringify({ ann: await state(ann), bob: await state(bob), server: await serverState(id), errors });
        throw new Error(`${error.message}: ${detail}`);
      });
  }
  const server = await serverState(id);
  for (const page of [ann, bob]) {
    await page.waitForFunction((v) => Number(document.body.dataset.version) >= v, POLL, server.version);
  }
  const [a, b] = [await state(ann), await state(bob)];
  await ann.screenshot({ path: `${artifacts}playground-ann.png` });
  await bob.screenshot({ path: `${artifacts}playground-bob.png` });
  assert.equal(server.status, 'idle');
  assert.equal(a.text, server.text);
  assert.equal(b.text, server.text);
  assert.equal(a.masks, 0);
  assert.match(a.statusLine, /idle/);
  for (let round = 0; round < typedWhileGenerating; round++) {
    assert.ok(server.text.includes(`# ann ${round}\n`), `ann's line ${round} is missing`);
    assert.ok(server.text.includes(`bob${round}`), `bob's word ${round} is missing`);
  }
  assert.deepEqual(a.peers, ['Bob']);
  assert.deepEqual(b.peers, ['Ann']);
  assert.deepEqual(errors, []);
});

test('Stop cancels a generation: the placeholders go, what the model wrote stays, and the page shows it', { timeout: TIMEOUT }, async () => {
  const errors = [];
  const page = await newPage('stopper', errors);
  await page.goto(`${silo.baseUrl}/`);
  // A long selection: ~1,000 masks with one step each, so the generation is still running when Stop is clicked.
  const long = Array.from({ length: 12 }, (_, i) => CODE.replaceAll('mean', `mean${i}`)).join('\n');
  await page.$eval('#code', (el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }, long);
  await page.type('#key', silo.devKey);
  await page.click('#new');
  await page.waitForFunction(() => document.body.dataset.status === 'idle', POLL);
  const id = (await page.$eval('#share', (a) => a.href)).split('#session=')[1];
  await page.select('#policy', 'topk');
  await page.type('#steps', '1024');
  await page.focus('#code');
  await page.evaluate((n) => document.getElementById('code').setSelectionRange(0, n), long.length);
  await page.click('#regenerate');
  await page.waitForFunction(() => document.body.dataset.status === 'denoising' && document.querySelectorAll('#backdrop .mask').length > 0, POLL);

  await page.click('#cancel');
  await page.waitForFunction(() => document.body.dataset.status === 'cancelled' && document.body.dataset.pending === '0', POLL);
  const server = await serverState(id);
  await page.waitForFunction((v) => Number(document.body.dataset.version) >= v, POLL, server.version);
  const shown = await state(page);
  assert.equal(server.status, 'cancelled');
  assert.equal(server.masked, 0);
  assert.equal(shown.masks, 0);
  assert.equal(shown.text, server.text);
  assert.ok(!server.text.includes('<|mask|>'));
  assert.match(shown.statusLine, /cancelled/);
  assert.deepEqual(errors, []);
});

test('a long line of placeholders wraps: no sideways scrolling, and the backdrop wraps where the text does', { timeout: TIMEOUT }, async () => {
  const errors = [];
  const page = await newPage('wrapper', errors);
  await page.goto(`${silo.baseUrl}/`);
  // One line of ~300 list items: regenerated, it becomes one run of hundreds of 8-character placeholders.
  const line = `DATA = [${Array.from({ length: 300 }, (_, i) => i).join(', ')}]`;
  const text = `${CODE}\n${line}\n`;
  await page.$eval('#code', (el, t) => { el.value = t; el.dispatchEvent(new Event('input')); }, text);
  await page.type('#key', silo.devKey);
  await page.click('#new');
  await page.waitForFunction(() => document.body.dataset.status === 'idle', POLL);
  await page.select('#policy', 'topk');
  await page.type('#steps', '1024');
  await page.focus('#code');
  await page.evaluate((from, to) => document.getElementById('code').setSelectionRange(from, to), CODE.length + 1, CODE.length + 1 + line.length);
  await page.click('#regenerate');
  await page.waitForFunction(() => document.body.dataset.status === 'denoising' && document.querySelectorAll('#backdrop .mask').length > 0, POLL);

  // Measured in one synchronous call, so no step lands between the two layers' measurements.
  const layout = await page.evaluate(() => {
    const code = document.getElementById('code');
    const backdrop = document.getElementById('backdrop');
    return {
      placeholders: code.value.split('<|mask|>').length - 1,
      textWidth: code.scrollWidth, visibleWidth: code.clientWidth,
      textHeight: code.scrollHeight, backdropHeight: backdrop.scrollHeight,
      backdropWidth: backdrop.clientWidth, lineHeight: parseFloat(getComputedStyle(code).lineHeight),
    };
  });
  await page.click('#cancel');
  await page.waitForFunction(() => document.body.dataset.status === 'cancelled' && document.body.dataset.pending === '0', POLL);

  // Hundreds of placeholders on one line are far wider than the editor...
  assert.ok(layout.placeholders * 8 * 7 > 3 * layout.visibleWidth, JSON.stringify(layout));
  // ...yet nothing scrolls sideways,
  assert.ok(layout.textWidth <= layout.visibleWidth, JSON.stringify(layout));
  // and both layers are as wide and wrap into as many lines (the backdrop draws one line more, for the textarea's
  // scrolling past the end).
  assert.equal(layout.backdropWidth, layout.visibleWidth, JSON.stringify(layout));
  assert.ok(Math.abs(layout.backdropHeight - layout.lineHeight - layout.textHeight) < 1, JSON.stringify(layout));
  assert.deepEqual(errors, []);
});
