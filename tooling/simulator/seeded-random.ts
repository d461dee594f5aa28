/**
 * Deterministic pseudo-random numbers for fixtures: the same id or seed always gives the
 * same file bytes and the same synthetic batch, on every machine and run. Not for secrets.
 */

/** FNV-1a over the UTF-16 code units of `text`: turns ids and seeds into 32-bit states. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: one 32-bit state, fast enough to fill hundreds of kilobytes per download. */
export function uint32Stream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform numbers in [0, 1) from a seed. */
export function randomStream(seed: number): () => number {
  const next = uint32Stream(seed);
  return () => next() / 4294967296;
}
