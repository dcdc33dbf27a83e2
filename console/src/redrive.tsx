import { useEffect, useState } from 'preact/hooks';
import { post } from './api';
import type { Job, RedriveProgress, RedriveResult } from './types';

export type RedriveJob = Job<RedriveProgress, RedriveResult & { queue: string; sourceQueue: string }>;

/** Starts a redrive job on the server; the job is followed with `useJob`. */
export const startRedrive = (queue: string, body: { filters?: string[]; max?: number; dryRun?: boolean }) =>
  post<{ jobId: string; statusUrl: string; eventsUrl: string }>(`/api/dlqs/${encodeURIComponent(queue)}/redrive`, body);

/** Follows a job's server-sent events until it ends. */
export const useJob = (jobId: string | undefined, onEnd?: (job: RedriveJob) => void) => {
  const [job, setJob] = useState<RedriveJob>();
  useEffect(() => {
    if (!jobId) return;
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
    source.onmessage = (event) => {
      const update = JSON.parse(event.data as string) as RedriveJob;
      setJob(update);
      if (update.state !== 'running') {
        source.close();
        onEnd?.(update);
      }
    };
    return () => source.close();
  }, [jobId]);
  return job;
};

/** A redrive's live progress: a progress bar while it runs, what it did when it ends (announced to screen readers). */
export const RedriveStatus = ({ job }: { job?: RedriveJob }) => {
  if (!job) return null;
  const progress = job.progress;
  return (
    <div class="job" role="status" aria-live="polite" data-testid="redrive-status" data-state={job.state}>
      {job.state === 'running' ? (
        <>
          <label for={`progress-${job.id}`}>
            Redriving {job.target}: {progress ? `${progress.moved} moved of ${progress.total} (${progress.scanned} scanned)` : 'starting…'}
          </label>
          <progress id={`progress-${job.id}`} max={Math.max(progress?.total ?? 0, 1)} value={progress?.moved ?? 0} />
          <button type="button" onClick={() => void post(`/api/jobs/${encodeURIComponent(job.id)}/cancel`)}>
            Stop
          </button>
        </>
      ) : job.state === 'failed' ? (
        <p class="error">Redrive failed: {job.error}</p>
      ) : job.result?.dryRun ? (
        <p>
          Dry run: would move {job.result.wouldMove?.length ?? 0} of {job.result.scanned} message(s) from {job.result.queue} to {job.result.sourceQueue}.
        </p>
      ) : (
        <p>
          {job.result?.interrupted ? 'Stopped: moved' : 'Moved'} {job.result?.moved ?? 0} message(s) from {job.result?.queue} to {job.result?.sourceQueue}
          {job.result?.mode === 'selective' ? ` (${job.result.scanned} scanned)` : ''}.
          {job.result?.cameBack ? ` ${job.result.cameBack} failed again and came back; they were not moved again.` : ''}
        </p>
      )}
    </div>
  );
};
