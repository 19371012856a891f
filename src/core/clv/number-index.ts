// A map from numbers to their order of first appearance, for the million-row passes of the fit:
// open addressing over the numbers' bits in typed arrays, where a Map keyed by non-integer or
// large numbers boxes and hashes each key on the heap. Same answers as a Map (SameValueZero:
// 0 and −0 are one key; NaN is never passed here).
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

export class NumberIndex {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private static hash(key: number): number {
    bits[0] = key;
    const h = Math.imul((words[0] ?? 0) ^ Math.imul(words[1] ?? 0, 0x9e3779b1), 0x85ebca6b);
    return h ^ (h >>> 15);
  }

  /** The key's number, or −1 when it has none. */
  get(value: number): number {
    const key = value === 0 ? 0 : value;
    for (let at = NumberIndex.hash(key) & this.mask; ; at = (at + 1) & this.mask) {
      const slot = this.slots[at] ?? -1;
      if (slot < 0) return -1;
      if (this.keys[at] === key) return slot;
    }
  }

  /** The key's number, numbering it next if new. */
  of(value: number): number {
    const key = value === 0 ? 0 : value;
    for (let at = NumberIndex.hash(key) & this.mask; ; at = (at + 1) & this.mask) {
      const slot = this.slots[at] ?? -1;
      if (slot < 0) {
        const number = this.size++;
        this.keys[at] = key;
        this.slots[at] = number;
        if (this.size * 2 > this.mask + 1) this.grow();
        return number;
      }
      if (this.keys[at] === key) return slot;
    }
  }

  private grow(): void {
    const { keys, slots } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.slots = new Int32Array(keys.length * 2).fill(-1);
    this.mask = keys.length * 2 - 1;
    for (let i = 0; i < keys.length; i++) {
      const slot = slots[i] ?? -1;
      if (slot < 0) continue;
      const key = keys[i] ?? 0;
      let at = NumberIndex.hash(key) & this.mask;
      while ((this.slots[at] ?? -1) >= 0) at = (at + 1) & this.mask;
      this.keys[at] = key;
      this.slots[at] = slot;
    }
  }
}
