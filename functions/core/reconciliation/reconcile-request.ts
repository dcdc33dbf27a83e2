import * as z from '../zod';
import { parseJson, validated } from '../canonical/parse';

const IsoInstant = z.iso.datetime({ offset: true });

/** One reconciliation run, or the continuation of one: orders the ERP changed in [since, until]. */
export const ReconcileRequest = z
  .object({
    runId: z.string().check(z.regex(/^[\w.:-]{1,128}$/, 'letters, digits, . _ : - (at most 128)')),
    since: IsoInstant,
    until: IsoInstant,
    /** Where the ERP listing continues (absent: the first page)… */
    cursor: z.optional(z.string().check(z.maxLength(4096))),
    /** …and how many orders of that page are already checked. */
    offset: z.optional(z.number().check(z.int(), z.gte(0))),
    /** Consecutive hand-ons without progress (the ERP or the desk asked us to wait). */
    deferrals: z.optional(z.number().check(z.int(), z.gte(0))),
    requestedBy: z._default(z.string().check(z.maxLength(128)), 'schedule'),
    /** False: report drift, repair nothing. */
    repair: z._default(z.boolean(), true),
  }).check(z.refine((request) => Date.parse(request.since) <= Date.parse(request.until), { message: 'since must not be after until', path: ['since'] }));
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

/** What EventBridge sends to the queue when the schedule fires. */
const ScheduledEvent = z.object({ 'detail-type': z.literal('Scheduled Event'), time: IsoInstant });

export interface ScheduleSettings {
  /** How far back a scheduled run looks (it overlaps the previous run on purpose). */
  lookbackSeconds: number;
}

/** Reads a reconciler queue message: the schedule's event, or a request from the ops CLI or a continuation. */
export const parseReconcileMessage = (body: string, settings: ScheduleSettings): ReconcileRequest => {
  const json = parseJson(body, 'The reconciliation request');
  const scheduled = ScheduledEvent.safeParse(json);
  if (scheduled.success) {
    const firedAt = Date.parse(scheduled.data.time);
    return {
      runId: `scheduled-${scheduled.data.time.replace(/[^\w]/g, '')}`,
      since: new Date(firedAt - settings.lookbackSeconds * 1000).toISOString(),
      until: new Date(firedAt).toISOString(),
      requestedBy: 'schedule',
      repair: true,
    };
  }
  return validated(ReconcileRequest, json, { problem: 'Invalid reconciliation request' });
};
