// Request validation against the route's TypeBox schemas, compiled once per schema.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { RequestError } from '../types.js';

/** Errors listed per rejected request: enough to fix it, bounded for hostile input. */
const MAX_REPORTED_ERRORS = 10;
const MAX_QUOTED_PATH = 200;

export type RequestPart = 'params' | 'query' | 'body';

export type Validator = (value: unknown) => void;

/**
 * A function that throws 400 `invalid_request` when `value` does not match `schema`, naming each
 * offending path (`body/identifiers/3/value`). A schema's `errorMessage` replaces TypeBox's text.
 */
export function compileValidator(schema: TSchema, part: RequestPart): Validator {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return;
    const errors: { path: string; message: string }[] = [];
    for (const error of check.Errors(value)) {
      const custom = (error.schema as { errorMessage?: unknown }).errorMessage;
      errors.push({ path: `${part}${error.path}`.slice(0, MAX_QUOTED_PATH), message: typeof custom === 'string' ? custom : error.message });
      if (errors.length === MAX_REPORTED_ERRORS) break;
    }
    const first = errors[0] ?? { path: part, message: 'does not match the schema' };
    throw new RequestError(400, 'invalid_request', `${first.path}: ${first.message}`, { errors });
  };
}
