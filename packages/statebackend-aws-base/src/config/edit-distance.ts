/**
 * Optimal-string-alignment (restricted Damerau–Levenshtein) distance: insertions, deletions,
 * substitutions and transpositions of two adjacent characters each cost 1. `aws.regoin` is one
 * edit away from `aws.region`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const width = b.length + 1;
  // Three rolling rows: two back (for transpositions), previous and current.
  let twoBack = new Array<number>(width).fill(0);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] ?? 0) + 1, // deletion
        (current[j - 1] ?? 0) + 1, // insertion
        (previous[j - 1] ?? 0) + cost, // substitution
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (twoBack[j - 2] ?? 0) + 1); // transposition
      }
      current[j] = best;
    }
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `key`, if it is near enough to be a plausible typo: compared
 * case-insensitively, at most max(2, 20% of the key's length) edits away, or a candidate that ends
 * with `.key` (a key written without its prefix). Ties go to the candidate listed first.
 */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length * 0.2));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let suffixMatch: string | undefined;
  for (const candidate of candidates) {
    if (candidate === key) continue;
    const lower = candidate.toLowerCase();
    const distance = editDistance(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (suffixMatch === undefined && wanted.length > 0 && lower.endsWith(`.${wanted}`)) {
      suffixMatch = candidate;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  return suffixMatch;
}
