import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ProblemError } from './api';

/** Loads once and on `reload()`; keeps the last value while reloading. */
export const useResource = <T,>(load: () => Promise<T>, deps: unknown[] = []) => {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({ loading: true });
  const reload = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true }));
    return load().then(
      (value) => setState({ value, loading: false }),
      (error: Error) => setState({ error, loading: false }),
    );
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
};

export const ErrorNote = ({ error }: { error?: Error }) =>
  error ? (
    <p class="error" role="alert">
      {error instanceof ProblemError ? <strong>{error.problem.title}: </strong> : null}
      {error.message}
    </p>
  ) : null;

export const Loading = ({ loading }: { loading: boolean }) => (loading ? <p class="muted" aria-live="polite">Loading…</p> : null);

export const Section = ({ title, children, id, wide }: { title: string; children: ComponentChildren; id?: string; wide?: boolean }) => (
  <section class={wide ? 'card wide' : 'card'} aria-labelledby={id ?? slug(title)}>
    <h2 id={id ?? slug(title)}>{title}</h2>
    {children}
  </section>
);
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * A modal confirmation (the native <dialog>: focus moves into it, Escape cancels). With `typed`, the
 * confirm button stays disabled until the operator types that text.
 */
export const ConfirmDialog = (props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  typed?: string;
  danger?: boolean;
  onConfirm: (typed: string) => void;
  onCancel: () => void;
}) => {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setTyped('');
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  const ready = props.typed === undefined || typed === props.typed;
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(event) => (event.preventDefault(), props.onCancel())}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) props.onConfirm(typed);
        }}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <div>{props.children}</div>
        {props.typed !== undefined ? (
          <p>
            <label for="confirm-typed">
              Type <code>{props.typed}</code> to confirm
            </label>
            <input id="confirm-typed" name="confirm-typed" autocomplete="off" value={typed} onInput={(event) => setTyped((event.target as HTMLInputElement).value)} />
          </p>
        ) : null}
        <div class="actions">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={!ready}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
};

export interface ChartSeries {
  label: string;
  points: Array<{ t: string; value: number }>;
  color: string;
}

/** A time-series chart (uPlot), with the figures also as a table for screen readers. */
export const TimeChart = ({ title, unit, series, hours }: { title: string; unit: string; series: ChartSeries[]; hours: number }) => {
  const ref = useRef<HTMLDivElement>(null);
  const times = [...new Set(series.flatMap((one) => one.points.map((point) => point.t)))].sort();
  useEffect(() => {
    if (!ref.current || times.length === 0) return;
    const data: uPlot.AlignedData = [
      times.map((t) => Date.parse(t) / 1000),
      ...series.map((one) => {
        const byTime = new Map(one.points.map((point) => [point.t, point.value]));
        return times.map((t) => byTime.get(t) ?? null);
      }),
    ];
    const plot = new uPlot(
      {
        width: Math.max(280, ref.current.clientWidth),
        height: 180,
        // The whole period, even when only its last minutes have points.
        scales: { x: { time: true, range: (): uPlot.Range.MinMax => [Date.now() / 1000 - hours * 3600, Date.now() / 1000] } },
        series: [{}, ...series.map((one) => ({ label: one.label, stroke: one.color, width: 2, points: { show: true } }))],
        axes: [{}, { label: unit }],
      },
      data,
      ref.current,
    );
    return () => plot.destroy();
  }, [JSON.stringify(series)]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {times.length === 0 ? <p class="muted">No data points in this period.</p> : <div ref={ref} aria-hidden="true" />}
      <details>
        <summary>{title} as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {series.map((one) => (
                <th scope="col">{one.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t) => (
              <tr>
                <td>{t}</td>
                {series.map((one) => (
                  <td class="num">{one.points.find((point) => point.t === t)?.value ?? '-'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};
