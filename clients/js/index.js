// SeedGrains collaborative-session client: connect(baseUrl, key, sessionId) and the pieces it is built from.
export { connect } from './session.js';
export { ClientDocument } from './client-document.js';
export { readEventStream } from './event-stream.js';
export { transform, overlaps, relationOf, Relation, MODEL } from './transform.js';
export { rebase } from './rebase.js';
export { apply, inverse, validate, withoutNoOps, lengthDelta } from './range-set.js';
export { mapPoint, mapSpan } from './positions.js';
