// OpenAI's own Node client against a real silo serving the bundled model: what a user coming from the
// OpenAI-compatible-server world does first. Errors must arrive as the client's typed errors with the server's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSilo } from './silo.mjs';

let silo;
let client;

before(async () => {
  silo = await startSilo();
  client = new OpenAI({ apiKey: silo.devKey, baseURL: `${silo.baseUrl}/v1`, maxRetries: 0, timeout: 120_000 });
});

after(async () => {
  await silo?.stop();
});

test('models.list() names the served model', async () => {
  const models = [];
  for await (const model of client.models.list()) models.push(model);
  assert.equal(models.length, 1);
  assert.equal(models[0].object, 'model');
  assert.ok(models[0].id.length > 0);
  const one = await client.models.retrieve(models[0].id);
  assert.equal(one.id, models[0].id);
});

test('a completion between prompt and suffix, with usage and a request id', async () => {
  const { data, response } = await client.completions
    .create({ model: 'any', prompt: 'def add(a, b):\n    return ', suffix: '\n', max_tokens: 8 })
    .withResponse();
  assert.match(response.headers.get('x-request-id'), /^req_/);
  assert.equal(data.object, 'text_completion');
  assert.equal(data.choices.length, 1);
  assert.equal(typeof data.choices[0].text, 'string');
  assert.ok(['stop', 'length'].includes(data.choices[0].finish_reason));
  assert.ok(data.usage.prompt_tokens > 0);
  assert.ok(data.usage.completion_tokens >= 0 && data.usage.completion_tokens <= 8);
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
});

test('a streamed completion with a usage chunk', async () => {
  const stream = await client.completions.create({
    model: 'any', prompt: 'for i in range(', suffix: '):\n    print(i)\n', max_tokens: 6, stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.text;
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.ok(['stop', 'length'].includes(finish));
  assert.ok(usage, 'no usage chunk');
  assert.ok(usage.completion_tokens <= 6);
  assert.equal(typeof text, 'string');
});

test('stop ends the text before the stop string', async () => {
  // Whatever the model writes, the returned text never contains a stop string; a newline is a likely one.
  const completion = await client.completions.create({
    model: 'any', prompt: 'x = 1\ny = 2\nz = ', max_tokens: 24, stop: ['\n', 'y ='],
  });
  const choice = completion.choices[0];
  assert.ok(!choice.text.includes('\n') && !choice.text.includes('y ='), JSON.stringify(choice.text));
  assert.ok(['stop', 'length'].includes(choice.finish_reason));
});

test('a wrong key is an AuthenticationError carrying the server\'s detail', async () => {
  const wrong = new OpenAI({ apiKey: 'not-a-key', baseURL: `${silo.baseUrl}/v1`, maxRetries: 0 });
  await assert.rejects(wrong.completions.create({ model: 'any', prompt: 'x' }), (error) => {
    assert.ok(error instanceof OpenAI.AuthenticationError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.status, 401);
    assert.doesNotMatch(error.message, /no body/);
    assert.equal(error.type, 'authentication_error');
    assert.ok(error.requestID, 'no request id on the error');
    return true;
  });
});

test('max_tokens out of range is a BadRequestError naming the field', async () => {
  await assert.rejects(client.completions.create({ model: 'any', prompt: 'x', max_tokens: 100000 }), (error) => {
    assert.ok(error instanceof OpenAI.BadRequestError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.param, 'max_tokens');
    assert.match(error.message, /max_tokens = 100000 is out of range/);
    return true;
  });
});

test('an unsupported field is a BadRequestError naming it', async () => {
  await assert.rejects(client.completions.create({ model: 'any', prompt: 'x', logprobs: 2 }), (error) => {
    assert.ok(error instanceof OpenAI.BadRequestError);
    assert.equal(error.param, 'logprobs');
    return true;
  });
});

test('over the tenant\'s request rate, a RateLimitError', async () => {
  // A tenant of its own with one request a minute, made through the admin API with the operator key.
  const admin = (method, route, body) => fetch(`${silo.baseUrl}/admin/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${silo.operatorKey}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const tenant = `node-${Date.now()}`;
  assert.equal((await admin('POST', '/tenants', { id: tenant, quotas: { requestsPerMinute: 1 } })).status, 201);
  const created = await admin('POST', `/tenants/${tenant}/keys`, { name: 'node test' });
  assert.equal(created.status, 201);
  const { key } = await created.json();
  const limited = new OpenAI({ apiKey: key, baseURL: `${silo.baseUrl}/v1`, maxRetries: 0 });
  await limited.models.list(); // the one request of this minute
  await assert.rejects(limited.models.list(), (error) => {
    assert.ok(error instanceof OpenAI.RateLimitError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.status, 429);
    assert.ok(Number(error.headers.get('retry-after')) >= 1);
    assert.equal(error.headers.get('x-ratelimit-limit-requests'), '1');
    return true;
  });
});
