/** An array kept sorted by a total order; binary-search insert and remove. Small lists (hundreds) in practice. */
export class SortedList<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  insert(item: T): void {
    this.items.splice(this.lowerBound(item), 0, item);
  }

  /** Removes the item equal (compare = 0) to `item`; false if absent. */
  remove(item: T): boolean {
    const i = this.lowerBound(item);
    if (i >= this.items.length || this.compare(this.items[i], item) !== 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  at(i: number): T {
    return this.items[i];
  }

  values(): readonly T[] {
    return this.items;
  }

  private lowerBound(item: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid], item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
