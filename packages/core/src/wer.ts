/**
 * Word error rate, used by tests and benchmarks to compare a transcript with a reference.
 * Normalisation removes what Whisper and the reference legitimately disagree on (case,
 * punctuation, Unicode forms) so the rate only counts wrong, missing or extra words.
 */

/** Lowercase, NFKC, no punctuation or symbols (Spanish ¿ ¡ included), single spaces. */
export function normalizeForWer(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      // Apostrophes join contractions ("don't" → "dont") instead of splitting them into two words.
      .replace(/['’]/g, '')
      .replace(/[\p{P}\p{S}]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function words(text: string): string[] {
  const normalized = normalizeForWer(text);
  return normalized ? normalized.split(' ') : [];
}

/**
 * (substitutions + deletions + insertions) / reference words, by word-level Levenshtein distance.
 * An empty reference gives 0 for an empty hypothesis and 1 otherwise (there is nothing to divide by).
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = words(reference);
  const hyp = words(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;

  // One row of the edit-distance table at a time: previous[j] = distance(ref[0..i), hyp[0..j)).
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      const deletion = (previous[j] ?? 0) + 1;
      const insertion = (current[j - 1] ?? 0) + 1;
      current.push(Math.min(substitution, deletion, insertion));
    }
    previous = current;
  }
  return (previous[hyp.length] ?? 0) / ref.length;
}
