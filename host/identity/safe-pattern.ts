// Compiles tenant-supplied regular expressions. JavaScript regexes backtrack, and a pattern such
// as (a+)+$ can take exponential time on a short input, freezing the event loop for every tenant.
// Node offers no match timeout, so patterns are bounded in length and those with nested
// quantifiers (a repeated group that itself contains a repetition) are refused.
import { RequestError } from '../types.js';

export const MAX_PATTERN_LENGTH = 256;

/** Compiles `source` with the `u` flag, or throws RequestError(400, 'invalid_config') naming `where`. */
export function compileSafePattern(source: unknown, where: string): RegExp {
  if (typeof source !== 'string' || source === '') throw invalidConfig(where, 'must be a non-empty string');
  if (source.length > MAX_PATTERN_LENGTH) throw invalidConfig(where, `is longer than ${MAX_PATTERN_LENGTH} characters`);
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (error) {
    throw invalidConfig(where, `is not a valid regular expression (${(error as Error).message})`);
  }
  if (hasNestedQuantifier(source)) {
    throw invalidConfig(where, 'repeats a group that itself repeats, which can take exponential time');
  }
  if (/\\[1-9]|\\k</.test(source)) {
    throw invalidConfig(where, 'uses a backreference, which can take exponential time');
  }
  return regex;
}

/**
 * Whether a repeating quantifier (*, + or {n,m}) applies to a group that contains a quantifier. Works on
 * a syntactically valid pattern: skips escapes and character classes, tracks group nesting.
 */
function hasNestedQuantifier(source: string): boolean {
  const groupHasQuantifier: boolean[] = [];
  let closedGroupHadQuantifier = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    const afterGroup = closedGroupHadQuantifier;
    closedGroupHadQuantifier = false;
    if (char === '\\') {
      i++;
    } else if (char === '[') {
      i = endOfClass(source, i);
    } else if (char === '(') {
      groupHasQuantifier.push(false);
    } else if (char === ')') {
      closedGroupHadQuantifier = groupHasQuantifier.pop() ?? false;
      if (closedGroupHadQuantifier) markQuantified(groupHasQuantifier);
    } else if (isQuantifierAt(source, i)) {
      // An optional group, (a+)?, runs at most once and cannot blow up.
      if (afterGroup && char !== '?') return true;
      markQuantified(groupHasQuantifier);
    }
  }
  return false;
}

function markQuantified(groupHasQuantifier: boolean[]): void {
  if (groupHasQuantifier.length > 0) groupHasQuantifier[groupHasQuantifier.length - 1] = true;
}

function isQuantifierAt(source: string, i: number): boolean {
  const char = source[i];
  if (char === '*' || char === '+') return true;
  // `?` right after `(` opens a group modifier such as (?: or (?=, not a quantifier.
  if (char === '?') return source[i - 1] !== '(';
  return char === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i));
}

function endOfClass(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return source.length;
}

function invalidConfig(where: string, problem: string): RequestError {
  return new RequestError(400, 'invalid_config', `${where} ${problem}`);
}
