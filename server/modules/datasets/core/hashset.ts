/**
 * A set of 64-bit prefixes of sha256 example hashes, in typed arrays (open
 * addressing, linear probing, at most half full, doubling): 8 bytes a slot,
 * 16 to 32 bytes per distinct example (16 MiB for a million examples), where
 * a JS `Set<string>` of hex hashes takes over 100 bytes each. Two different
 * examples collide with probability about n²/2⁶⁵ (3·10⁻⁶ for 10 million),
 * in which case the second would be counted as a duplicate.
 */
export class HashPrefixSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private used = 0;
  /** (0, 0) marks an empty slot, so the all-zero prefix is tracked apart. */
  private hasZero = false;

  constructor(initialCapacity = 1024) {
    let capacity = 1024;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.used + (this.hasZero ? 1 : 0);
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Adds the prefix of a hex sha256; true when it was not there yet. */
  addHex(hash: string): boolean {
    return this.add(Number.parseInt(hash.slice(0, 8), 16), Number.parseInt(hash.slice(8, 16), 16));
  }

  hasHex(hash: string): boolean {
    return this.has(Number.parseInt(hash.slice(0, 8), 16), Number.parseInt(hash.slice(8, 16), 16));
  }

  /** Adds a prefix given as two unsigned 32-bit halves; true when it was not there yet. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) {
      const added = !this.hasZero;
      this.hasZero = true;
      return added;
    }
    if ((this.used + 1) * 2 > this.hi.length) this.grow();
    return this.insert(hi >>> 0, lo >>> 0);
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) return this.hasZero;
    hi >>>= 0;
    lo >>>= 0;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      if (this.hi[i] === 0 && this.lo[i] === 0) return false;
      if (this.hi[i] === hi && this.lo[i] === lo) return true;
    }
  }

  private insert(hi: number, lo: number): boolean {
    // The prefix is uniformly distributed already: its low bits are the slot.
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const h = this.hi[i];
      const l = this.lo[i];
      if (h === 0 && l === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.used++;
        return true;
      }
      if (h === hi && l === lo) return false;
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.mask = this.hi.length - 1;
    this.used = 0;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== 0 || oldLo[i] !== 0) this.insert(oldHi[i], oldLo[i]);
    }
  }
}
