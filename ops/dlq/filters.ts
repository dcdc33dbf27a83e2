/** `--filter key=value` selection of DLQ messages. */
import { UsageError } from '../errors';
import type { DlqMessage } from './dlq-message';

export interface Filter {
  key: string;
  pattern: RegExp;
  text: string;
}

/** Parses `key=value` filters; `*` in the value matches any text. */
export const parseFilters = (specs: string[] = []): Filter[] =>
  specs.map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`Invalid filter "${text}": expected key=value, e.g. errorClass=validation`);
    const key = text.slice(0, at).trim();
    const value = text.slice(at + 1);
    const pattern = new RegExp(`^${value.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    return { key, pattern, text };
  });

/** Whether a message has every filtered key (errorClass, correlationId, any message or system attribute…). */
export const matchesFilters = (message: DlqMessage, filters: Filter[]): boolean =>
  filters.every(({ key, pattern }) => {
    const own = (message as unknown as Record<string, unknown>)[key];
    const value = own !== undefined && typeof own !== 'object' ? String(own) : (message.attributes[key] ?? message.systemAttributes[key]);
    return value !== undefined && pattern.test(value);
  });
