// Following positions of one version's text through a change (a range set of that text).

/**
 * A point (cursor) after the change: shifted by ranges before it; a point strictly inside a replaced range goes to its
 * start (docs/api.md, presence). At an insertion's point the cursor stays before the inserted text unless `after`.
 */
export function mapPoint(point, ranges, after = false) {
  let shift = 0;
  for (const r of ranges) {
    if (r.end < point || (r.end === point && (r.start < point || after))) shift += r.text.length - (r.end - r.start);
    else if (r.start < point) return r.start + shift;
    else break;
  }
  return point + shift;
}

/**
 * A span after the change, as the server reports a conflicting span (RangeMapper.cs): it grows to cover a range
 * straddling either edge; an insertion at either edge stays outside.
 */
export function mapSpan(start, end, ranges) {
  const mappedStart = mapStart(start, ranges);
  return [mappedStart, Math.max(mappedStart, mapEnd(end, ranges))];
}

function mapStart(point, ranges) {
  let shift = 0;
  for (const r of ranges) {
    if (r.end <= point) shift += r.text.length - (r.end - r.start);
    else if (r.start < point) return r.start + shift;
    else break;
  }
  return point + shift;
}

function mapEnd(point, ranges) {
  let shift = 0;
  for (const r of ranges) {
    if (r.end < point || (r.end === point && r.start < point)) shift += r.text.length - (r.end - r.start);
    else if (r.start < point) return r.start + shift + r.text.length;
    else break;
  }
  return point + shift;
}
