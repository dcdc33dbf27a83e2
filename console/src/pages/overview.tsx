import { get } from '../api';
import { ErrorNote, Loading, Section, TimeChart, useResource } from '../components';
import { formatAge, formatTime, traceHref } from '../format';
import { RunsTable } from './runs-table';
import type { DlqSummary, MetricsHistory, Overview } from '../types';

/** Integration health beside the business KPIs, and the last hours' sync lag and webhooks. */
export const OverviewPage = () => {
  const overview = useResource(() => get<Overview>('/api/overview'));
  const dlqs = useResource(() => get<DlqSummary[]>('/api/dlqs'));
  const metrics = useResource(() => get<MetricsHistory>('/api/metrics?hours=6'));
  const value = overview.value;
  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <button type="button" onClick={() => void Promise.all([overview.reload(), dlqs.reload(), metrics.reload()])}>
          Refresh
        </button>
      </div>
      <ErrorNote error={overview.error} />
      <Loading loading={overview.loading && !value} />
      <div class="grid">
        {value ? (
          <>
            <Section title="Orders out of sync">
              <p class="kpi" data-testid="out-of-sync">{value.sync.outOfSync}</p>
              {value.sync.oldest ? (
                <p>
                  Oldest: <a href={traceHref(value.sync.oldest.orderId)}>{value.sync.oldest.orderId}</a>, for {formatAge(value.sync.oldest.ageSeconds)} (since {formatTime(value.sync.oldest.since)})
                </p>
              ) : (
                <p class="muted">Every order is in sync.</p>
              )}
            </Section>
            <Section title="Refunds, replacements and returns">
              <dl class="pairs">
                <dt>Refunds past SLA</dt>
                <dd>{value.sla.refundsPastSla}</dd>
                <dt>Replacements past SLA</dt>
                <dd>{value.sla.replacementsPastSla}</dd>
                <dt>Returns awaiting receipt</dt>
                <dd>{value.sla.returnsAwaitingReceipt}</dd>
                <dt>Open exceptions</dt>
                <dd>
                  <a href="#/delayed">{value.exceptions.open}</a>
                </dd>
              </dl>
            </Section>
            <Section title="Workflows by state">
              <dl class="pairs">
                {Object.entries(value.workflows.byState).map(([state, count]) => (
                  <>
                    <dt>{state}</dt>
                    <dd>{count}</dd>
                  </>
                ))}
              </dl>
            </Section>
            <Section title="ERP">
              <dl class="pairs">
                <dt>Circuit breaker</dt>
                <dd class={`breaker-${value.erp.breaker.state}`}>
                  {value.erp.breaker.state}
                  {value.erp.breaker.openedAt ? ` since ${formatTime(value.erp.breaker.openedAt)}` : ''}
                </dd>
                <dt>Rate budget used (last minute)</dt>
                <dd>
                  {value.erp.budget.usedLastMinute} of {Math.round(value.erp.budget.limitPerSecond * 60)} ({Math.round(value.erp.budget.utilisation * 100)}%)
                  {value.erp.budget.limitSource === 'adaptive' ? ', cut after a 429' : value.erp.budget.limitSource === 'assumed' ? ', limit assumed' : ''}
                </dd>
              </dl>
            </Section>
            <Section title="Reconciliation: last runs">
              <RunsTable runs={value.reconciliation.runs} />
            </Section>
          </>
        ) : null}
        <Section title="Dead-letter queues" wide>
          <ErrorNote error={dlqs.error} />
          {dlqs.value ? (
            <table data-testid="overview-dlqs">
              <thead>
                <tr>
                  <th scope="col">DLQ</th>
                  <th scope="col" class="num">Depth</th>
                  <th scope="col" class="num">Oldest</th>
                </tr>
              </thead>
              <tbody>
                {dlqs.value.filter((dlq) => dlq.exists).map((dlq) => (
                  <tr class={dlq.depth ? 'attention' : ''}>
                    <td>
                      <a href={`#/dlqs/${encodeURIComponent(dlq.name)}`}>{dlq.name}</a>
                    </td>
                    <td class="num">{dlq.depth ?? 0}</td>
                    <td class="num">{dlq.depth ? `${dlq.oldestIsLowerBound ? '≥ ' : ''}${formatAge(dlq.oldestAgeSeconds)}` : '-'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Loading loading={dlqs.loading} />
          )}
        </Section>
      </div>
      <Section title="Last 6 hours">
        <ErrorNote error={metrics.error} />
        {metrics.value ? (
          <div class="charts">
            <TimeChart hours={6} title="Sync lag" unit="seconds" series={[{ label: 'sync lag (s)', points: metrics.value.syncLagSeconds.points, color: '#1d4ed8' }]} />
            <TimeChart
              hours={6}
              title="Webhooks accepted and refused"
              unit="webhooks"
              series={[
                { label: 'accepted', points: metrics.value.webhooksAccepted.points, color: '#15803d' },
                { label: 'refused', points: metrics.value.webhooksRefused.points, color: '#b91c1c' },
              ]}
            />
          </div>
        ) : (
          <Loading loading={metrics.loading} />
        )}
      </Section>
      {value ? <p class="muted">Generated {formatTime(value.generatedAt)} for stage {value.stage}.</p> : null}
    </>
  );
};
