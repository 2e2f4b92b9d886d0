// Runs tasks with the same key one after another within this process. Writers of one dossier
// queue here before they take a database connection, so that fifty parallel requests for one
// dossier hold one pooled connection between them rather than all ten (the advisory lock in
// the database still serialises writers across instances).
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
