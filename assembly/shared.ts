// Shared identifiers: a value seen with more identities than one person plausibly has (a junk
// address typed by strangers, a kiosk) is marked shared. It stops linking, and the persona it
// glued together is re-clustered without it, online.
import {
  NODE_TYPE, NODE_FLAGS, NODE_TENANT, NODE_FIRST_SEEN, NODE_LAST_SEEN,
  NODE_FLAG_BLOCKED, NODE_FLAG_SHARED, NODE_FLAG_ERASED,
  TYPE_EMAIL, TYPE_PHONE, TYPE_CUSTOMER, TENANT_SHARED_AT, TENANT_SHARED, JOURNAL_SHARED,
} from './layout';
import { nodeAt, edgeAt, tenantAt, personaOfRoot, edgeCut } from './records';
import { find, bump } from './unify';
import { firstEdge, nextEdge, otherEnd, partnersMoreThan } from './evidence';
import { recluster, workBuffer } from './recluster';
import { beginMarks, markOf, setMark, marksHeadroom } from './marks';
import { journal } from './journal';

/** Most identifiers a shared-identifier check looks at; beyond, the identifier is left as it is. */
const MAX_NEIGHBOURHOOD: u32 = 1 << 16;
/** Work memory a shared-identifier check may grow the writer's scratch by (its stack; doubling growth). */
export const SHARED_CHECK_HEADROOM: u64 = 2 * 4 * <u64>MAX_NEIGHBOURHOOD + marksHeadroom(MAX_NEIGHBOURHOOD + 1);
// how a node in the neighbourhood was reached
const NEAR: u32 = 1; // a partner of the node
const FAR: u32 = 2; // a partner of a partner
const SEEN: u32 = 3; // already put in a group

/** Whether a node may link: not junk, not shared, not erased. */
export function linkable(node: u32): bool {
  return (load<u8>(nodeAt(node), NODE_FLAGS) & (NODE_FLAG_BLOCKED | NODE_FLAG_SHARED | NODE_FLAG_ERASED)) == 0;
}

/** Marks `node` shared when it was seen with more identities than its type's threshold allows. */
export function checkShared(node: u32): void {
  const threshold = sharedThreshold(node);
  if (threshold != 0 && linkable(node) && seenWithMoreThan(node, threshold)) markShared(node);
}

/**
 * Whether more identities than `most` were seen with `node`. Its person partners (emails, phones,
 * customer ids) are a cheap first count; past `most`, its neighbourhood is looked at: the
 * identifiers within two links of it, without it, fall into groups that nothing but `node`
 * connects. One person's orders share a phone, a device or an account; strangers who typed the
 * same junk address share nothing but it. A group that holds an identity (an email, a phone, an
 * account) is one more person; groups of devices, subscriptions and one-off guest order ids alone
 * say nothing about who they are. Two links, so that a guest order on someone's own device finds
 * that person's address through the device.
 */
function seenWithMoreThan(node: u32, most: u32): bool {
  if (!partnersMoreThan(node, most)) return false;
  if (!beginMarks(0)) return false;
  let count: u32 = 0;
  for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
    const x = otherEnd(e, node);
    if (isCut(e) || !linkable(x)) continue;
    if (!setMark(x, NEAR)) return false;
    count++;
  }
  for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
    const x = otherEnd(e, node);
    if (isCut(e) || markOf(x) != NEAR) continue;
    for (let f = firstEdge(x); f != 0; f = nextEdge(f, x)) {
      const z = otherEnd(f, x);
      const mark = markOf(z);
      if (z == node || mark == NEAR || mark == FAR || isCut(f) || !linkable(z)) continue;
      if (!setMark(z, FAR)) return false;
      if (++count > MAX_NEIGHBOURHOOD) return false; // a hub too big to judge here: leave it linking
    }
  }
  const stack = workBuffer(count * 4);
  if (stack == 0) return false;
  let groups: u32 = 0;
  for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
    const start = otherEnd(e, node);
    if (markOf(start) != NEAR) continue;
    // flood the group through the evidence between the marked identifiers
    setMark(start, SEEN); // already in the table: cannot fail
    store<u32>(stack, start);
    let depth: u32 = 1;
    let identity = false;
    while (depth > 0) {
      const y = load<u32>(stack + <usize>(--depth * 4));
      identity = identity || isIdentity(y);
      for (let f = firstEdge(y); f != 0; f = nextEdge(f, y)) {
        const z = otherEnd(f, y);
        const mark = markOf(z);
        if ((mark != NEAR && mark != FAR) || isCut(f)) continue;
        setMark(z, SEEN);
        store<u32>(stack + <usize>(depth++ * 4), z);
      }
    }
    if (identity && ++groups > most) return true;
  }
  return false;
}

/** An email, a phone, or an account: a customer id seen at two different times (a guest order id is seen once). */
function isIdentity(node: u32): bool {
  const n = nodeAt(node);
  const type = <u32>load<u8>(n, NODE_TYPE);
  if (type == TYPE_EMAIL || type == TYPE_PHONE) return true;
  return type == TYPE_CUSTOMER && load<f64>(n, NODE_LAST_SEEN) > load<f64>(n, NODE_FIRST_SEEN);
}

function isCut(edge: u32): bool {
  return edgeCut(edgeAt(edge));
}

function sharedThreshold(node: u32): u32 {
  const n = nodeAt(node);
  const t = tenantAt(<u32>load<u16>(n, NODE_TENANT));
  return <u32>load<u16>(t + <usize>(TENANT_SHARED_AT + <u32>load<u8>(n, NODE_TYPE) * 2));
}

/** Marks a node shared: it stops linking, and the persona it glued together is re-clustered without it. */
export function markShared(node: u32): void {
  const n = nodeAt(node);
  store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_SHARED, NODE_FLAGS);
  const tenant = <u32>load<u16>(n, NODE_TENANT);
  bump(tenant, TENANT_SHARED);
  const root = find(node);
  journal(JOURNAL_SHARED, personaOfRoot(root), node);
  recluster(root, 0);
}
