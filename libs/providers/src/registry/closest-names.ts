import { distance as editDistance } from 'fastest-levenshtein';

/**
 * Names from `candidates` that look like `requested`: a small edit distance, or one containing the other
 * (`gpt-image` → `gpt-image-2`). Closest first, at most `limit`.
 */
export function closestNames(requested: string, candidates: readonly string[], limit = 3): string[] {
  const wanted = requested.trim().toLowerCase();
  const tolerance = Math.max(2, Math.floor(wanted.length / 3));
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
      return { candidate, distance: editDistance(wanted, lower), contains };
    })
    .filter((entry) => entry.distance <= tolerance || entry.contains)
    .sort((left, right) => left.distance - right.distance || left.candidate.localeCompare(right.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}
