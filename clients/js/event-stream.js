// Server-Sent Events over fetch: EventSource cannot send an Authorization header, so the stream is read from a
// response body. Works in browsers and in Node 18+ (fetch, ReadableStream, TextDecoder).

/**
 * Reads `text/event-stream` from a fetch Response and calls `onEvent({event, id, data})` for each event (event
 * defaults to "message"; id is null when the event had none). Resolves when the stream ends; rejects on a read error
 * (including an abort).
 */
export async function readEventStream(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { event: 'message', id: null, data: [] };
  const dispatch = () => {
    if (event.data.length > 0) onEvent({ event: event.event, id: event.id, data: event.data.join('\n') });
    event = { event: 'message', id: null, data: [] };
  };
  const line = (text) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return undefined; // a comment (keep-alive)
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event.event = value;
    else if (field === 'data') event.data.push(value);
    else if (field === 'id') event.id = value;
    return undefined;
  };
  for (;;) {
    const { value, done } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (buffer[newline] === '\r' && newline === buffer.length - 1 && !done) break;
      const length = buffer.startsWith('\r\n', newline) ? 2 : 1;
      line(buffer.slice(0, newline));
      buffer = buffer.slice(newline + length);
    }
    if (done) return;
  }
}
