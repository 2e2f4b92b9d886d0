// Group commit for small writes that many concurrent requests make at once (a card view's
// audit row, an update marked processed): the writes asked for in the same turn of the event
// loop go to the database as one statement, and every caller's promise settles only when that
// statement has committed — so each caller still has its write durable before it goes on,
// with one round trip for the group instead of one each.
export class Batcher<T, R = void> {
  private pending: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  /** Groups being written now. */
  private writing = 0;

  constructor(
    /** Writes the group; for a result per item, returns them in the items' order. */
    private readonly write: (items: T[]) => Promise<unknown>,
    private readonly maxBatch = 256,
    /**
     * At most this many groups in flight: what arrives meanwhile waits and goes as the next
     * group when one finishes (group commit). Idle, an item goes at once; busy, the groups
     * grow instead of the statements multiplying.
     */
    private readonly maxInFlight = 1,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.writing >= this.maxInFlight) return; // the group in flight takes the next one when it ends
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.writing >= this.maxInFlight) return;
    const batch = this.pending.splice(0, this.maxBatch);
    if (!batch.length) return;
    this.writing++;
    const settle = (group: typeof batch, results: unknown) =>
      group.forEach((b, i) => b.resolve((Array.isArray(results) ? results[i] : undefined) as R));
    this.write(batch.map((b) => b.item))
      .then(
        (results) => settle(batch, results),
        (err: unknown) => {
          if (batch.length === 1) return batch[0]!.reject(err);
          // One bad item must not fail its neighbours: each goes alone and settles on its own.
          for (const b of batch)
            this.write([b.item]).then(
              (r) => settle([b], r),
              (e: unknown) => b.reject(e),
            );
        },
      )
      .finally(() => {
        this.writing--;
        if (this.pending.length) this.flush();
      });
  }
}
