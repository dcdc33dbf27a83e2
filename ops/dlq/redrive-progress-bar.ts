import { SingleBar } from 'cli-progress';
import type { RedriveProgress } from './redrive';

/**
 * The redrive's progress bar on stderr, started on the first progress report. `stop` restores the
 * cursor, so call it however the redrive ends (done, failed, Ctrl-C).
 */
export const makeRedriveProgressBar = (show: boolean) => {
  const bar = new SingleBar({ format: 'Redriving |{bar}| {value}/{total} scanned, {moved} moved, {cameBack} came back', stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    onProgress(progress: RedriveProgress) {
      if (!show) return;
      if (!started) {
        bar.start(Math.max(progress.total, progress.scanned), 0, { moved: 0, cameBack: 0 });
        started = true;
      }
      bar.setTotal(Math.max(progress.total, progress.scanned));
      bar.update(progress.scanned, { moved: progress.moved, cameBack: progress.cameBack });
    },
    stop() {
      if (started) bar.stop();
    },
  };
};
