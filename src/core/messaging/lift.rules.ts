// Lift of a campaign: treated vs held-out customers, with a 95% confidence interval on the
// difference (normal approximation; with fewer than two customers in a group there is no interval).

export interface GroupFigures {
  customers: number;
  converted: number;
  revenueFen: number;
  /** Σ revenue² per customer, for the revenue variance. */
  revenueSquaresFen2: number;
}

export interface Interval { difference: number; low: number; high: number }

export interface Lift {
  treatedRate: number;
  heldOutRate: number;
  conversion: Interval | null;
  treatedRevenuePerCustomerFen: number;
  heldOutRevenuePerCustomerFen: number;
  revenuePerCustomer: Interval | null;
}

const Z95 = 1.959963984540054;

/** Difference of two proportions (treated − held out), Wald interval with unpooled variance. */
export function proportionDifference(treated: { n: number; k: number }, held: { n: number; k: number }): Interval | null {
  if (treated.n < 2 || held.n < 2) return null;
  const p1 = treated.k / treated.n;
  const p2 = held.k / held.n;
  const se = Math.sqrt((p1 * (1 - p1)) / treated.n + (p2 * (1 - p2)) / held.n);
  const d = p1 - p2;
  return { difference: d, low: d - Z95 * se, high: d + Z95 * se };
}

/** Difference of two means from sums (Welch's standard error, normal quantile). */
export function meanDifference(a: { n: number; sum: number; squares: number }, b: { n: number; sum: number; squares: number }): Interval | null {
  if (a.n < 2 || b.n < 2) return null;
  const m1 = a.sum / a.n;
  const m2 = b.sum / b.n;
  const v1 = Math.max(0, (a.squares - a.n * m1 * m1) / (a.n - 1));
  const v2 = Math.max(0, (b.squares - b.n * m2 * m2) / (b.n - 1));
  const se = Math.sqrt(v1 / a.n + v2 / b.n);
  const d = m1 - m2;
  return { difference: d, low: d - Z95 * se, high: d + Z95 * se };
}

export function lift(treated: GroupFigures, heldOut: GroupFigures): Lift {
  const rate = (g: GroupFigures) => (g.customers === 0 ? 0 : g.converted / g.customers);
  const perCustomer = (g: GroupFigures) => (g.customers === 0 ? 0 : g.revenueFen / g.customers);
  return {
    treatedRate: rate(treated),
    heldOutRate: rate(heldOut),
    conversion: proportionDifference({ n: treated.customers, k: treated.converted }, { n: heldOut.customers, k: heldOut.converted }),
    treatedRevenuePerCustomerFen: perCustomer(treated),
    heldOutRevenuePerCustomerFen: perCustomer(heldOut),
    revenuePerCustomer: meanDifference(
      { n: treated.customers, sum: treated.revenueFen, squares: treated.revenueSquaresFen2 },
      { n: heldOut.customers, sum: heldOut.revenueFen, squares: heldOut.revenueSquaresFen2 },
    ),
  };
}
