import { createHmac, timingSafeEqual } from 'node:crypto';

/** base64(HMAC-SHA256(key, message)) over the message's parts in order (text as UTF-8, bytes as they are). */
export const hmacBase64 = (key: string | Buffer, ...message: Array<string | Uint8Array>) => {
  const hmac = createHmac('sha256', key);
  for (const part of message) hmac.update(part);
  return hmac.digest('base64');
};

export const signatureMatches = (claimed: string, expected: string): boolean => {
  const a = Buffer.from(claimed);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const lowerCaseKeys = (headers: Record<string, string | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
