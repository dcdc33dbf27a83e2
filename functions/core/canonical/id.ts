import * as z from '../zod';

/**
 * The one rule for an entity id, whichever system named it: 1–256 characters, none of them a control
 * character or half of a surrogate pair. Consumers put ids in URLs, keys, tags and logs, where those throw
 * (`encodeURIComponent` on a lone surrogate) or mislead, so an id that breaks the rule is refused at ingest.
 *
 * @example
 * EntityId.parse('SO-1001'); // 'SO-1001'
 * EntityId.safeParse('SO-\u0007').success; // false
 */
export const EntityId = z
  .string().check(z.minLength(1), z.maxLength(256), z.regex(/^[^\p{Cc}\p{Cs}]*$/u, 'no control characters or unpaired surrogates'));
