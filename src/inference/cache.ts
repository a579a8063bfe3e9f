/** A bounded least-recently-used map. Size 0 disables it. */
export class LruCache<V> {
  private readonly map = new Map<string, V>()
  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key)
    if (v === undefined) return undefined
    this.map.delete(key)
    this.map.set(key, v)
    return v
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return
    this.map.delete(key)
    this.map.set(key, value)
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!)
  }

  /** Empties the cache; returns how many entries it held. */
  clear(): number {
    const n = this.map.size
    this.map.clear()
    return n
  }

  get size(): number {
    return this.map.size
  }
}
