/**
 * Remembers which webhook events were delivered, so the at-least-once retries of providers signal a workflow once.
 * Bounded: the oldest keys are forgotten first (a forgotten key costs at most one extra signal, which the workflow
 * ignores). A key being delivered counts as seen, so a retry that arrives meanwhile is a duplicate too.
 */
export class DeliveryDedupe {
  private readonly done = new Map<string, true>();
  private readonly pending = new Set<string>();

  constructor(private readonly maxEntries: number) {}

  /** Claims a key for delivery; false when it was delivered already or is being delivered now. */
  claim(key: string): boolean {
    if (this.done.has(key) || this.pending.has(key)) return false;
    this.pending.add(key);
    return true;
  }

  /** The claimed key was delivered (or its target is gone): later arrivals are duplicates. */
  settle(key: string): void {
    this.pending.delete(key);
    this.done.delete(key);
    this.done.set(key, true);
    while (this.done.size > this.maxEntries) {
      const oldest = this.done.keys().next();
      if (oldest.done === true) break;
      this.done.delete(oldest.value);
    }
  }

  /** The delivery failed: the next arrival may try again. */
  release(key: string): void {
    this.pending.delete(key);
  }
}
