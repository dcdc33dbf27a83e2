import { useState } from 'preact/hooks';
import { get, query } from '../api';
import { ErrorNote, Loading, useResource } from '../components';
import { formatAge, formatTime, traceHref } from '../format';
import { DELAYED_KINDS, type DelayedEntity } from '../types';

interface Filter {
  kind: string;
  minAge: string;
  region: string;
  brand: string;
}

/** Everything waiting past its bound, filterable by kind, age, region and brand; each links to its trace. */
export const DelayedPage = () => {
  const [draft, setDraft] = useState<Filter>({ kind: '', minAge: '', region: '', brand: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const delayed = useResource(() => get<DelayedEntity[]>(`/api/delayed${query({ kind: filter.kind, minAge: filter.minAge, region: filter.region, brand: filter.brand })}`), [JSON.stringify(filter)]);
  const field = (name: keyof Filter) => ({ value: draft[name], onInput: (event: Event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value }) });
  return (
    <>
      <div class="page-head">
        <h1>Delayed</h1>
        <button type="button" onClick={() => void delayed.reload()}>
          Refresh
        </button>
      </div>
      <p class="muted">Orders not in sync, refunds past their SLA, returns awaiting receipt, workflows in exception and commands waiting on the ERP, the longest waiting first.</p>
      <form
        class="filters"
        aria-label="Filter delayed entities"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(draft);
        }}
      >
        <label>
          Kind
          <select {...field('kind')}>
            <option value="">all</option>
            {DELAYED_KINDS.map((kind) => (
              <option value={kind}>{kind}</option>
            ))}
          </select>
        </label>
        <label>
          Waiting at least
          <input {...field('minAge')} placeholder="e.g. 15m, 2h" size={8} />
        </label>
        <label>
          Region
          <input {...field('region')} placeholder="e.g. DE" size={6} />
        </label>
        <label>
          Brand
          <input {...field('brand')} size={10} />
        </label>
        <button type="submit" class="primary">
          Apply filters
        </button>
      </form>
      <ErrorNote error={delayed.error} />
      <Loading loading={delayed.loading} />
      {delayed.value ? (
        delayed.value.length === 0 ? (
          <p>Nothing is waiting past its bound.</p>
        ) : (
          <table data-testid="delayed-list">
            <caption class="visually-hidden">Delayed entities</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Entity</th>
                <th scope="col">Waiting</th>
                <th scope="col">Bound</th>
                <th scope="col">Step</th>
                <th scope="col">Why</th>
                <th scope="col">Region / brand</th>
              </tr>
            </thead>
            <tbody>
              {delayed.value.map((entity) => (
                <tr>
                  <td>
                    <span class={`tag tag-${entity.kind}`}>{entity.kind}</span>
                  </td>
                  <td>
                    <a href={traceHref(entity.traceId)}>{entity.id}</a>
                    {entity.orderId && entity.orderId !== entity.id ? <div class="muted">order {entity.orderId}</div> : null}
                    {entity.caseId ? <div class="muted">case {entity.caseId}</div> : null}
                  </td>
                  <td title={`since ${formatTime(entity.since)}`}>{formatAge(entity.ageSeconds)}</td>
                  <td>{entity.bound}</td>
                  <td>{entity.step}</td>
                  <td>{entity.reason}</td>
                  <td>{[entity.region, entity.brand].filter(Boolean).join(' / ') || '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </>
  );
};
