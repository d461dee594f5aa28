/** A time some holder held something (a clone slot, a launch slot), in epoch ms. */
export interface Span {
  start: number;
  end: number;
}

/** Most spans open at one time; a span that ends in the millisecond another starts does not overlap it. */
export function peakOverlap(spans: readonly Span[]): number {
  const edges = spans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (open += edge.d));
  return peak;
}
