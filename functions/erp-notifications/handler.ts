import { makeObservability } from '../shared/lambda';
import { dependenciesFrom, makeHandler } from './make-handler';

export const handler = makeHandler(dependenciesFrom(process.env, makeObservability()));
