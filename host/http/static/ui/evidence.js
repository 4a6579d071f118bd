// What the graph's evidence edges mean, in words: the strength of the event behind a link and
// the decision the merge rules took on it.

export const STRENGTH_TEXT = {
  strong: 'Strong evidence',
  medium: 'Medium evidence',
  weak: 'Weak evidence',
  none: 'No evidence',
};

/** Decision → [style class, words]. Joined links hold the persona together; the rest did not join. */
const DECISIONS = {
  merged: ['joined', 'joined the two'],
  same: ['joined', 'already together'],
  refused_limit: ['refused', 'refused: the persona would exceed a limit'],
  refused_weak: ['refused', 'refused: evidence too weak for this link'],
  ignored: ['ignored', 'not joined: a shared or blocked identifier'],
  cut: ['cut', 'cut by a split'],
  pending: ['pending', 'pending'],
};

export function decisionClass(decision) {
  return DECISIONS[decision]?.[0] ?? 'pending';
}

export function decisionText(decision) {
  return DECISIONS[decision]?.[1] ?? decision;
}

/** Links that do not join two identifiers: listed apart from the persona's own. */
export function isRefused(edge) {
  return ['refused', 'ignored', 'cut'].includes(decisionClass(edge.decision));
}
