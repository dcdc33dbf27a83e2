/** The ops console: a hash-routed Preact app (#/, #/delayed, #/trace/<id>, #/dlqs, #/reconciliation). */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, STAGE } from './api';
import { DelayedPage } from './pages/delayed';
import { DlqsPage } from './pages/dlqs';
import { OverviewPage } from './pages/overview';
import { ReconciliationPage } from './pages/reconciliation';
import { TracePage } from './pages/trace';
import './styles.css';

const PAGES = [
  { path: '', label: 'Overview' },
  { path: 'delayed', label: 'Delayed' },
  { path: 'trace', label: 'Trace' },
  { path: 'dlqs', label: 'Dead-letter queues' },
  { path: 'reconciliation', label: 'Reconciliation' },
];

const currentRoute = () => {
  const [path = '', ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  return { path, param: rest.length ? decodeURIComponent(rest.join('/')) : undefined };
};

const App = () => {
  const [route, setRoute] = useState(currentRoute());
  const [who, setWho] = useState<string>('');
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    const onChange = () => {
      setRoute(currentRoute());
      // Move focus to the new page's content, as a page load would.
      requestAnimationFrame(() => main.current?.focus());
    };
    window.addEventListener('hashchange', onChange);
    void get<{ who: string }>('/api/whoami').then((answer) => setWho(answer.who), () => setWho('unknown'));
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const page = PAGES.find((candidate) => candidate.path === route.path) ?? PAGES[0]!;
  useEffect(() => {
    document.title = `${page.label} · retail-sync console (${STAGE})`;
  }, [page.label]);
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header>
        <p class="brand">
          retail-sync console <span class="stage">stage {STAGE}</span>
        </p>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((candidate) => (
              <li>
                <a href={`#/${candidate.path}`} aria-current={candidate === page ? 'page' : undefined}>
                  {candidate.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who" title="Who the audit lines name">
          {who ? `as ${who}` : ''}
        </p>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {page.path === '' && <OverviewPage />}
        {page.path === 'delayed' && <DelayedPage />}
        {page.path === 'trace' && <TracePage id={route.param} />}
        {page.path === 'dlqs' && <DlqsPage queue={route.param} />}
        {page.path === 'reconciliation' && <ReconciliationPage runId={route.param} />}
      </main>
    </>
  );
};

render(<App />, document.getElementById('app')!);
