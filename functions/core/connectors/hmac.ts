import { createHmac, timingSafeEqual } from 'node:crypto';

/** base64(HMAC-SHA256(key, message)), compared in constant time against a claimed signature. */
export const hmacBase64 = (key: string | Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('base64');

export const signatureMatches = (claimed: string, expected: string): boolean => {
  const a = Buffer.from(claimed);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const lowerCaseKeys = (headers: Record<string, string | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
