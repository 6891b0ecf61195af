/** Edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let leftIndex = 1; leftIndex <= left.length; leftIndex++) {
    const current = [leftIndex];
    for (let rightIndex = 1; rightIndex <= right.length; rightIndex++) {
      const substitution = (previous[rightIndex - 1] ?? 0) + (left[leftIndex - 1] === right[rightIndex - 1] ? 0 : 1);
      current.push(Math.min((previous[rightIndex] ?? 0) + 1, (current[rightIndex - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

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
