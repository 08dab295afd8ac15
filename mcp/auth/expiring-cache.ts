// A small TTL cache with a size cap, and one in-flight load per key (concurrent callers share it).
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expires_ms: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttl_ms: number,
    private readonly maxEntries: number,
  ) {}

  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires_ms > now) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load()
      .then((value) => {
        if (this.entries.size >= this.maxEntries) {
          const oldest = this.entries.keys().next().value;
          if (oldest !== undefined) this.entries.delete(oldest);
        }
        this.entries.set(key, { value, expires_ms: Date.now() + this.ttl_ms });
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }
}
