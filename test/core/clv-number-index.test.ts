// The fit's number index against a Map: same numbering in order of first appearance, through
// growth, for whole numbers beyond the small-integer range, fractions of a week, and −0.
import { describe, expect, it } from 'vitest';
import { NumberIndex } from '../../src/core/clv/number-index.ts';

let seed = 7;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

describe('NumberIndex', () => {
  it('numbers keys as a Map would, in order of first appearance', () => {
    const pools: (() => number)[] = [
      () => Math.floor(random() * 500),
      () => Math.floor(random() * 3000) / 7,
      () => Math.floor(random() * 2 ** 52),
      () => (random() < 0.5 ? 0 : -0),
      () => -Math.floor(random() * 50) / 3,
    ];
    const index = new NumberIndex();
    const map = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const value = (pools[i % pools.length] as () => number)();
      const known = map.get(value);
      expect(index.get(value)).toBe(known ?? -1);
      if (known === undefined) map.set(value, map.size);
      expect(index.of(value)).toBe(map.get(value));
    }
    expect(index.size).toBe(map.size);
    expect(index.get(0.5)).toBe(map.get(0.5) ?? -1);
  });
});
