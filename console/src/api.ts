/** The console's API client: JSON in and out, the token on state changes, problems as errors. */
const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
export const TOKEN = meta('console-token');
export const STAGE = meta('console-stage');

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
}

const parse = async <T>(response: Response): Promise<T> => {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    if (type.includes('json')) throw new ProblemError((await response.json()) as Problem);
    throw new ProblemError({ type: 'about:blank', title: response.statusText, status: response.status, detail: `${response.status} ${response.statusText}` });
  }
  return (await response.json()) as T;
};

export const get = async <T>(path: string): Promise<T> => parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));

export const post = async <T>(path: string, body: unknown = {}): Promise<T> =>
  parse<T>(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-console-token': TOKEN }, body: JSON.stringify(body) }));

export const query = (params: Record<string, string | string[] | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : value ? [value] : []) if (item) search.append(key, item);
  const text = search.toString();
  return text ? `?${text}` : '';
};
