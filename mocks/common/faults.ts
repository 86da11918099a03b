/**
 * Fault injection for a mock: a tester names a path (prefix) and what goes wrong there, for a number of
 * requests or until cleared. Admin paths are never faulted.
 */
import { z } from 'zod';

export const faultSchema = z.object({
  /** path prefix the fault applies to, e.g. "/his/charges/confirm"; "/" for everything */
  path: z.string().startsWith('/'),
  method: z.string().optional(),
  kind: z.enum(['error5xx', 'timeout', 'latency', 'malformed', 'reset', 'badSignature']),
  /** error5xx: the status (default 503) */
  status: z.number().int().min(500).max(599).optional(),
  /** latency: added delay; timeout: how long to hang before dropping the connection (default 30 s) */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** how many requests it hits; absent = until cleared */
  count: z.number().int().min(1).optional(),
});

export type FaultSpec = z.infer<typeof faultSchema>;
export interface Fault extends FaultSpec {
  id: number;
  hits: number;
}

export class Faults {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault to apply to this request, if any; counts the hit. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => path.startsWith(f.path) && (!f.method || f.method.toUpperCase() === method.toUpperCase()),
    );
    if (!fault) return undefined;
    fault.hits++;
    if (fault.count !== undefined && fault.hits >= fault.count) this.remove(fault.id);
    return fault;
  }
}
