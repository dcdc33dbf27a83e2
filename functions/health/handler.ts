import { makeUntracedObservability } from '../shared/untraced-lambda';
import { dependenciesFrom, makeHandler } from './make-handler';

export const handler = makeHandler(dependenciesFrom(process.env, makeUntracedObservability()));
