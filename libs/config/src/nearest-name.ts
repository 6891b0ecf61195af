import { distance } from 'fastest-levenshtein';

/** "Did you mean …?" for mistyped setting names. */

/** Levenshtein edit distance (insertions, deletions, substitutions) between two strings. */
export const editDistance: (first: string, second: string) => number = distance;

/**
 * The candidate closest to `name` (case-insensitive), if it is close enough to be a likely typo: at most
 * 2 edits, or a fifth of the name's length for long names. Ties go to the earlier candidate.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const threshold = Math.max(2, Math.floor(name.length / 5));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= threshold && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
