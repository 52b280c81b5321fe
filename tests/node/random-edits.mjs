// Deterministic random edits for the client tests (seeded: a failure repeats).

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid range set of a text of `length`: up to three sorted, non-overlapping ranges with texts from `letters`. */
export function randomRanges(random, length, letters) {
  const ranges = [];
  let position = 0;
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count && position <= length; i++) {
    const start = position + Math.floor(random() * (length - position + 1));
    const end = start + Math.floor(random() * Math.min(3, length - start + 1));
    const text = Array.from({ length: Math.floor(random() * 3) }, () => letters[Math.floor(random() * letters.length)]).join('');
    if (start === end && text === '') continue;
    const previous = ranges.at(-1);
    if (previous && previous.start === previous.end && start === end && start === previous.start) continue;
    ranges.push({ start, end, text });
    position = end; // an insertion may be followed by a range starting at its point, never by another insertion there
  }
  return ranges;
}
