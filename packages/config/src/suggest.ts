/** Levenshtein distance (by code point), for "did you mean" suggestions on short key names. */
function editDistance(a: string, b: string): number {
  const target = Array.from(b);
  // One row of the distance table at a time; row i starts with i.
  let previous = Array.from({ length: target.length + 1 }, (_, index) => index);
  let distance = target.length;
  for (const [i, charA] of Array.from(a).entries()) {
    let diagonal = i;
    let left = i + 1;
    const current = [left];
    for (const [j, above] of previous.slice(1).entries()) {
      left = Math.min(above + 1, left + 1, diagonal + (charA === target[j] ? 0 : 1));
      current.push(left);
      diagonal = above;
    }
    previous = current;
    distance = left;
  }
  return distance;
}

/** The known name closest to `unknown`, if it is close enough to be a likely typo. */
export function nearestName(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.toLowerCase() === unknown.toLowerCase() ? 0 : editDistance(unknown, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const tolerance = Math.max(2, Math.floor(best.name.length / 3));
  return best.distance <= tolerance ? best.name : undefined;
}
