/**
 * Dead-letter queue operations for ops engineers, as plain functions over an SQSClient so the CLI and
 * the tests share them. Nothing here consumes a message unless the operation is meant to (redrive,
 * purge): reads receive with a visibility timeout and give the messages back (visibility 0) at the end.
 */
export * from './dlq-message';
export * from './export';
export * from './filters';
export * from './list';
export * from './peek';
export * from './purge';
export * from './redrive';
export * from './scanner';
export * from './targets';
