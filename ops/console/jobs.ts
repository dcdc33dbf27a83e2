/** Long actions (a redrive) as job resources: polled at /api/jobs/<id>, or followed as server-sent events. */
import { randomUUID } from 'node:crypto';

export interface Job<P, R> {
  id: string;
  kind: string;
  target: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  progress?: P;
  result?: R;
  error?: string;
}

type Listener = (job: Job<unknown, unknown>) => void;

export const makeJobs = () => {
  const jobs = new Map<string, Job<unknown, unknown>>();
  const listeners = new Map<string, Set<Listener>>();
  const aborts = new Map<string, AbortController>();
  const notify = (job: Job<unknown, unknown>) => listeners.get(job.id)?.forEach((listener) => listener({ ...job }));

  return {
    get: (id: string) => jobs.get(id),
    /** A running job of this kind on this target, if any (one redrive per queue at a time). */
    running: (kind: string, target: string) => [...jobs.values()].find((job) => job.kind === kind && job.target === target && job.state === 'running'),
    start<P, R>(kind: string, target: string, work: (report: (progress: P) => void, signal: AbortSignal) => Promise<R>): Job<P, R> {
      const job: Job<P, R> = { id: randomUUID(), kind, target, state: 'running', startedAt: new Date().toISOString() };
      const abort = new AbortController();
      jobs.set(job.id, job as Job<unknown, unknown>);
      aborts.set(job.id, abort);
      const finish = (update: Partial<Job<P, R>>) => {
        Object.assign(job, update, { finishedAt: new Date().toISOString() });
        aborts.delete(job.id);
        notify(job as Job<unknown, unknown>);
      };
      void work((progress) => {
        job.progress = progress;
        notify(job as Job<unknown, unknown>);
      }, abort.signal).then(
        (result) => finish({ state: 'done', result }),
        (error: unknown) => finish({ state: 'failed', error: (error as Error)?.message ?? String(error) }),
      );
      return job;
    },
    cancel: (id: string) => {
      aborts.get(id)?.abort();
      return jobs.get(id);
    },
    subscribe(id: string, listener: Listener) {
      const set = listeners.get(id) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(id, set);
      return () => set.delete(listener);
    },
    cancelAll: () => aborts.forEach((abort) => abort.abort()),
  };
};
export type Jobs = ReturnType<typeof makeJobs>;
