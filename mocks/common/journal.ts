/** A bounded, searchable record of the requests a mock received, newest first. */
export interface JournalEntry {
  seq: number;
  atMs: number;
  method: string;
  path: string;
  query: string;
  requestBody: string;
  status: number;
  responseBody: string;
  durationMs: number;
  fault?: string;
  /** what the mock's handler wants testers to see, e.g. { infno: '6202', payOrdId } */
  tags: Record<string, string>;
}

export interface JournalQuery {
  path?: string;
  method?: string;
  tag?: string; // "key=value"
  sinceMs?: number;
  limit?: number;
}

const BODY_LIMIT_CHARS = 4000;

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 2000) {}

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = {
      ...entry,
      requestBody: entry.requestBody.slice(0, BODY_LIMIT_CHARS),
      responseBody: entry.responseBody.slice(0, BODY_LIMIT_CHARS),
      seq: ++this.seq,
    };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  search(query: JournalQuery = {}): JournalEntry[] {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), this.capacity);
    const [tagKey, tagValue] = query.tag?.split('=', 2) ?? [];
    const out: JournalEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i];
      if (query.path && !e.path.includes(query.path)) continue;
      if (query.method && e.method !== query.method.toUpperCase()) continue;
      if (query.sinceMs !== undefined && e.atMs < query.sinceMs) continue;
      if (tagKey && e.tags[tagKey] !== tagValue) continue;
      out.push(e);
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }
}
