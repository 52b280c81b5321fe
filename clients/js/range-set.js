// Range sets: lists of {start, end, text} replacing [start, end) of one text (UTF-16 code units), applied all at once.
// The rules are docs/api.md, "Collaborative editing: the transform"; the server's copy is RangeSet.cs.

/** @param {{start:number,end:number,text:string}} r */
export const isInsertion = (r) => r.start === r.end;

/** A range that neither removes nor inserts anything; dropped everywhere. */
export const isNoOp = (r) => r.start === r.end && r.text.length === 0;

/** How much longer the text gets. */
export const lengthDelta = (ranges) => ranges.reduce((sum, r) => sum + r.text.length - (r.end - r.start), 0);

/** Throws a RangeError naming the first range that is not sorted, within the text and non-overlapping. */
export function validate(ranges, textLength) {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (!r || typeof r.text !== 'string' || !Number.isInteger(r.start) || !Number.isInteger(r.end))
      throw new RangeError(`Range ${i} needs integer start and end and a text.`);
    if (r.start < 0 || r.end < r.start || r.end > textLength)
      throw new RangeError(`Range ${i} [${r.start}, ${r.end}) is not within the text (length ${textLength}).`);
    if (i === 0) continue;
    const previous = ranges[i - 1];
    if (r.start < previous.end)
      throw new RangeError(`Range ${i} [${r.start}, ${r.end}) overlaps or precedes range ${i - 1}; ranges must be sorted and non-overlapping.`);
    if (isInsertion(r) && isInsertion(previous) && r.start === previous.start)
      throw new RangeError(`Ranges ${i - 1} and ${i} are both insertions at ${r.start}; join their texts into one.`);
  }
}

/** The text with every range replaced (validated first: nothing is applied when a range is invalid). */
export function apply(text, ranges) {
  validate(ranges, text.length);
  let result = '';
  let position = 0;
  for (const r of ranges) {
    result += text.slice(position, r.start) + r.text;
    position = r.end;
  }
  return result + text.slice(position);
}

/** The same set without no-op ranges. */
export const withoutNoOps = (ranges) => ranges.filter((r) => !isNoOp(r));

/** The inverse set: applied to apply(before, ranges), gives back `before`. */
export function inverse(before, ranges) {
  validate(ranges, before.length);
  const result = [];
  let shift = 0;
  for (const r of ranges) {
    const start = r.start + shift;
    result.push({ start, end: start + r.text.length, text: before.slice(r.start, r.end) });
    shift += r.text.length - (r.end - r.start);
  }
  return withoutNoOps(result);
}

/** Same ranges, same texts, same order. */
export const sameRanges = (a, b) =>
  a.length === b.length && a.every((r, i) => r.start === b[i].start && r.end === b[i].end && r.text === b[i].text);

/** Plain {start, end, text} copies (drops any extra fields a wire object carries). */
export const plain = (ranges) => ranges.map((r) => ({ start: r.start, end: r.end, text: r.text }));
