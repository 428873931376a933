// Injected faults on the ONTAP side of a cluster: errors for the next N matching calls or
// with a seeded probability, and added latency. Path patterns are globs (`*` = anything).
import { RequestError } from './http';

export interface ErrorFault {
  id: string;
  method?: string;
  path: string;
  status: number;
  code: string;
  message: string;
  /** Calls left to fail; undefined = unlimited (with probability). */
  remaining?: number;
  probability?: number;
  seed?: number;
}
export interface LatencyFault {
  id: string;
  ms: number;
  path?: string;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** mulberry32: a small seeded PRNG, so a chaos run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private errors: { fault: ErrorFault; pattern: RegExp; random: () => number }[] = [];
  private latencies: { fault: LatencyFault; pattern?: RegExp }[] = [];
  private seq = 0;

  addError(fault: Omit<ErrorFault, 'id'>): string {
    const id = `error-${++this.seq}`;
    this.errors.push({
      fault: { ...fault, id },
      pattern: globToRegExp(fault.path),
      random: prng(fault.seed ?? 1),
    });
    return id;
  }

  addLatency(fault: Omit<LatencyFault, 'id'>): string {
    const id = `latency-${++this.seq}`;
    this.latencies.push({
      fault: { ...fault, id },
      pattern: fault.path ? globToRegExp(fault.path) : undefined,
    });
    return id;
  }

  /** Lifts one fault (a drill's fault heals when its step is done); false when it is not there. */
  remove(id: string): boolean {
    const before = this.errors.length + this.latencies.length;
    this.errors = this.errors.filter((e) => e.fault.id !== id);
    this.latencies = this.latencies.filter((l) => l.fault.id !== id);
    return this.errors.length + this.latencies.length < before;
  }

  clear(): void {
    this.errors = [];
    this.latencies = [];
  }

  list(): { errors: ErrorFault[]; latencies: LatencyFault[] } {
    return { errors: this.errors.map((e) => e.fault), latencies: this.latencies.map((l) => l.fault) };
  }

  latencyFor(path: string): number {
    return this.latencies.reduce((ms, l) => (!l.pattern || l.pattern.test(path) ? ms + l.fault.ms : ms), 0);
  }

  /** The injected error this call gets, if any (consumes one of a counted fault's calls). */
  errorFor(method: string, path: string): RequestError | undefined {
    for (const entry of this.errors) {
      const f = entry.fault;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (!entry.pattern.test(path)) continue;
      if (f.remaining !== undefined && f.remaining <= 0) continue;
      if (f.probability !== undefined && entry.random() >= f.probability) continue;
      if (f.remaining !== undefined) f.remaining--;
      return new RequestError(f.status, f.code, f.message);
    }
    return undefined;
  }
}
