// Small, dependency-free statistics for proportions (docs/satisfaction.md has the formulas).

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for x successes out of n (Wilson 1927), as proportions in [0, 1].
 * Unlike the normal ("Wald") interval it stays inside [0, 1] and behaves for small n and
 * for proportions near 0 or 1, which is where ward-level satisfaction lives.
 */
export function wilsonInterval(x: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Percent with two decimals (the way the index is reported). */
export function pct(numerator: number, denominator: number): number | null {
  if (denominator <= 0) return null;
  return round2((numerator / denominator) * 100);
}

export function round2(v: number): number {
  return Math.round((v + Number.EPSILON) * 100) / 100;
}

/**
 * Decision 766/QĐ-TTg (2022), indicator on receiving and settling dossiers:
 * S = 100% − (overdue % + % of dossiers with a complaint or a "not satisfied" rating);
 * full marks when S ≥ 90%, otherwise S × max / 90%.
 */
export function decision766(overduePct: number, dissatisfiedPct: number, maxPoints: number): { s: number; score: number } {
  const s = round2(100 - (overduePct + dissatisfiedPct));
  const score = s >= 90 ? maxPoints : Math.max(0, (s * maxPoints) / 90);
  return { s, score: Math.round(score * 1000) / 1000 };
}
