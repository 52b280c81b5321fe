const $ = id => document.getElementById(id);
$('key').value = localStorage.getItem('seedgrains-key') || '';
$('go').onclick = async () => {
  const key = $('key').value.trim();
  localStorage.setItem('seedgrains-key', key);
  const code = $('code'), headers = { 'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json' };
  const body = { text: code.value, regions: [{ start: code.selectionStart, end: code.selectionEnd }] };
  const created = await fetch('/v1/sessions', { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = await created.json();
  if (!created.ok) { $('status').textContent = answer.title + ': ' + answer.detail; return; }
  // EventSource cannot send an Authorization header: read the event stream with fetch.
  const events = await fetch('/v1/sessions/' + answer.id + '/events', { headers });
  const reader = events.body.getReader(), decoder = new TextDecoder();
  let buffer = '', text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const data = frame.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n');
      if (!data) continue;
      const view = JSON.parse(data);
      if (frame.includes('event: presence')) continue;
      // The first event is a snapshot (the whole text); each later one a change: ranges of the previous text, applied at once.
      if (view.text !== undefined) text = view.text;
      else text = applyOps(text, view.ops || []);
      if (view.status) $('status').textContent = `v${view.version} ${view.status} (${view.masked} masked)`;
      $('out').textContent = text;
    }
  }
};

function applyOps(text, ops) {
  let result = '', position = 0;
  for (const op of ops) { result += text.slice(position, op.start) + op.text; position = op.end; }
  return result + text.slice(position);
}
