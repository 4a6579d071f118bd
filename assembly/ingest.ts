// Applying a batch of normalized events: intern identifiers, record evidence, try unions, found
// personas, weigh a visit's evidence again, and check for identifiers shared by too many people.
//
// Batch buffer (little-endian, 4-byte aligned), written by host/engine/codec.ts:
//   u32 eventCount, then per event:
//     u32 tenant, u8 class (EVENT_CLASS_*), u8 identifierCount, u16 0, u32 item, u32 0, f64 time,
//     then per identifier: u8 type, u8 flags (ID_FLAG_*), u16 len, u16 displayLen, u16 0,
//                          len value bytes, displayLen display bytes, zero padding to 4 bytes.
import {
  NODE_TENANT, NODE_TYPE, NODE_FLAGS, NODE_VALUE, NODE_FIRST_SEEN, NODE_LAST_SEEN, NODE_FLAG_DISPLAY,
  VALUE_LEN_BYTES, DISPLAY_SLOT_BYTES,
  NODE_FLAG_BLOCKED, EDGE_SEQ_ITEM, MAX_EVENT_ITEM, MAX_LOG_SEQ,
  TYPE_DEVICE, TYPE_EMAIL, TYPE_COUNT, KIND_NODES, KIND_EDGES, KIND_ARENA, KIND_TENANTS,
  HEADER_IDENT_TABLE, HEADER_EDGE_TABLE, HEADER_EVENT_NODES, HEADER_APPLIED_SEQ,
  TENANT_IDENTIFIERS, STRENGTH_WEAK, STRENGTH_MEDIUM, STRENGTH_STRONG, DECISION_IGNORED, DECISION_CUT,
  MAX_EVENT_IDENTIFIERS, MAX_VALUE_LEN, OK, ERR_BAD_INPUT, ERR_VALUE_TOO_LONG, ERR_CAPACITY, ERR_OUT_OF_MEMORY,
  KIND_VALUES, KIND_CREATED,
} from './layout';
import { header, reserveElements, takeElements, kindCount, ensureHeadroom } from './memory';
import {
  nodeAt, edgeAt, arenaAt, arenaPutPrefixed, arenaWorstCase, tableFill, tableReserve, valueBytes, valueLen, displaySlot,
  addDisplaySlot, freezeCreated, identifierHash, identifierSlot, slotRef, personaOfRoot, edgeStrength, setEdgeDecision, edgeCut,
} from './records';
import { find, makeSingleton, attemptUnion, bump } from './unify';
import { foundPersona, offerLatest, guardrailsOn, typeRank, membersOfRoot, degreeOfRoot, storedValuesOfRoot } from './personas';
import { refusedInSession } from './sessions';
import { linkable, checkShared, SHARED_CHECK_HEADROOM } from './shared';
import { edgeBetween, firstEdge, nextEdge, otherEnd, seqItem } from './evidence';
import { DECISION_RECLUSTERED, reclusterHeadroom } from './recluster';
import { beginMarks, markOf, setMark } from './marks';
import { journalReserve } from './journal';

// How much an event proves (host/service/events.ts decides it from the event's type):
export const EVENT_CLASS_CLICK: u8 = 0; // a campaign link click: the message may have been forwarded
export const EVENT_CLASS_ORDINARY: u8 = 1; // page views, untyped or custom events: values typed on some device
export const EVENT_CLASS_AUTHENTICATED: u8 = 2; // login, checkout, identify, subscribe: the person proved who they are
export const ID_FLAG_BLOCKED: u8 = 1;

const EVENT_HEADER_BYTES: u32 = 24;
const DISPLAY_PREFIX_BYTES: u32 = 2; // display forms are stored with a u16 length
/** Arena bytes of a value entry with a display slot: the longest single piece an identifier puts in the arena. */
const LONGEST_ENTRY: u32 = VALUE_LEN_BYTES + MAX_VALUE_LEN + DISPLAY_SLOT_BYTES;
const MAX_RECORDS: u32 = 0xFFFFFFF0; // indices and arena offsets are u32
/** Journal room per identifier a call touches: a merge, or a re-cluster's retired and new personas. */
const JOURNAL_ENTRIES_PER_CHANGE: u64 = 4;
const IDENTIFIER_HEADER_BYTES: u32 = 8;
/** Events with more identifiers than this link them as a star around the most stable one, not a clique. */
const CLIQUE_MAX: u32 = 8;

// @ts-ignore: decorator
@inline function align4(n: u32): u32 { return (n + 3) & ~3; }

/**
 * Evidence a pair of identifiers gets from one event. A click proves nothing about whose device it
 * was; a device beside someone's identifiers may be anybody's (a family tablet, a kiosk) unless
 * the person proved who they are on it; person identifiers typed together are strong when
 * authenticated, medium otherwise.
 */
function pairStrength(eventClass: u8, typeA: u32, typeB: u32): u8 {
  if (eventClass == EVENT_CLASS_CLICK) return STRENGTH_WEAK;
  const authenticated = eventClass == EVENT_CLASS_AUTHENTICATED;
  if (typeA == TYPE_DEVICE || typeB == TYPE_DEVICE) return authenticated ? STRENGTH_MEDIUM : STRENGTH_WEAK;
  return authenticated ? STRENGTH_STRONG : STRENGTH_MEDIUM;
}

// what a batch touches, gathered by reserveFor
let touchedMembers: u64 = 0; // identifiers of guarded tenants' personas the batch may re-cluster
let touchedDegree: u64 = 0; // their evidence edge ends

/** The mark of a root whose persona the batch counted. */
const COUNTED: u32 = 1;

/**
 * Adds the persona an identifier of a guarded tenant belongs to (once per batch, by root mark),
 * or the identifier itself when it is new: re-clusters in the batch stay within these. A device in
 * an authenticated event also brings the personas its refused evidence from that visit reaches,
 * which the visit may join (retrySession). False when memory for the marks is out.
 */
function countTouched(tenant: u32, type: u32, value: usize, len: u32, eventClass: u8, time: f64): bool {
  const desc = header(HEADER_IDENT_TABLE);
  const node = slotRef(identifierSlot(desc, tenant, type, value, len, <u32>identifierHash(tenant, type, value, len)));
  if (node == 0) {
    touchedMembers++;
    return true;
  }
  if (!countTouchedPersona(node)) return false;
  if (type != TYPE_DEVICE || eventClass != EVENT_CLASS_AUTHENTICATED) return true;
  for (let e = firstEdge(node); e != 0; e = nextEdge(e, node)) {
    if (refusedInSession(e, time) && !countTouchedPersona(otherEnd(e, node))) return false;
  }
  return true;
}

function countTouchedPersona(node: u32): bool {
  const root = find(node);
  if (markOf(root) == COUNTED) return true;
  if (!setMark(root, COUNTED)) return false;
  touchedMembers += <u64>membersOfRoot(root);
  touchedDegree += <u64>degreeOfRoot(root);
  return true;
}

/**
 * Walks the batch once to check it and size everything it could allocate, so applying it cannot
 * fail half-way: records, table slots, arena bytes, and for tenants with guardrails the persona
 * records and work memory of every re-cluster it may cause.
 */
function reserveFor(ptr: usize, len: u32, seq: f64): i32 {
  const end = ptr + <usize>len;
  if (len < 4) return ERR_BAD_INPUT;
  const events = load<u32>(ptr);
  const tenants = kindCount(KIND_TENANTS);
  // an edge packs the seq and item of its first event in one u64 (EDGE_SEQ_ITEM)
  if (!(seq >= 0 && seq <= MAX_LOG_SEQ) || Math.floor(seq) != seq) return ERR_BAD_INPUT;
  if (!beginMarks(0)) return ERR_OUT_OF_MEMORY;
  touchedMembers = 0;
  touchedDegree = 0;
  let at = ptr + 4;
  let identifiers: u64 = 0;
  let pairs: u64 = 0;
  let guardedPairs: u64 = 0;
  let arenaBytes: u64 = 0;
  for (let i: u32 = 0; i < events; i++) {
    if (at + <usize>EVENT_HEADER_BYTES > end) return ERR_BAD_INPUT;
    const tenant = load<u32>(at);
    const eventClass = load<u8>(at, 4);
    const time = load<f64>(at, 16);
    if (tenant == 0 || tenant >= tenants || load<u32>(at, 8) > MAX_EVENT_ITEM) return ERR_BAD_INPUT;
    const guarded = guardrailsOn(tenant);
    if (eventClass > EVENT_CLASS_AUTHENTICATED) return ERR_BAD_INPUT;
    const count = <u32>load<u8>(at, 5);
    if (count > MAX_EVENT_IDENTIFIERS) return ERR_BAD_INPUT;
    at += EVENT_HEADER_BYTES;
    for (let j: u32 = 0; j < count; j++) {
      if (at + <usize>IDENTIFIER_HEADER_BYTES > end) return ERR_BAD_INPUT;
      const type = <u32>load<u8>(at);
      const valueLen = <u32>load<u16>(at, 2);
      const displayLen = <u32>load<u16>(at, 4);
      if (type >= TYPE_COUNT) return ERR_BAD_INPUT;
      if (valueLen > MAX_VALUE_LEN || displayLen > MAX_VALUE_LEN) return ERR_VALUE_TOO_LONG;
      if (at + <usize>(IDENTIFIER_HEADER_BYTES + valueLen + displayLen) > end) return ERR_BAD_INPUT;
      if (guarded && !countTouched(tenant, type, at + IDENTIFIER_HEADER_BYTES, valueLen, eventClass, time)) return ERR_OUT_OF_MEMORY;
      // its value entry, and with a display form, the form and the entry again with a display slot (setDisplay)
      arenaBytes += <u64>(VALUE_LEN_BYTES + valueLen);
      if (displayLen > 0) arenaBytes += <u64>(DISPLAY_PREFIX_BYTES + displayLen + LONGEST_ENTRY);
      at += IDENTIFIER_HEADER_BYTES + align4(valueLen + displayLen);
      if (at > end) return ERR_BAD_INPUT;
    }
    const eventPairs = count <= CLIQUE_MAX ? count * (count - 1) / 2 : count - 1;
    identifiers += count;
    pairs += eventPairs;
    if (guarded) guardedPairs += eventPairs;
  }
  touchedDegree += 2 * guardedPairs;
  const nodesAfter = <u64>kindCount(KIND_NODES) + identifiers;
  if (nodesAfter > <u64>MAX_RECORDS) return ERR_CAPACITY;
  // values records (freed ones are reused) grow by at most one per union, or per piece of a re-cluster;
  // a persona founded (per new identifier, or per piece of a re-cluster) is keyed by its founder's identifier
  let status = reserveElements(KIND_NODES, <u32>identifiers);
  if (status == OK) status = reserveElements(KIND_EDGES, <u32>pairs);
  if (status == OK) status = reserveElements(KIND_VALUES, <u32>(pairs + identifiers + touchedMembers));
  // a created record per founder an identifier's sighting moves the first-seen of (freezeCreated)
  if (status == OK) status = reserveElements(KIND_CREATED, <u32>identifiers);
  if (status == OK) status = reserveArena(arenaWorstCase(arenaBytes, LONGEST_ENTRY));
  if (status == OK) status = tableReserve(header(HEADER_IDENT_TABLE), <u32>identifiers);
  if (status == OK) status = tableReserve(header(HEADER_EDGE_TABLE), <u32>pairs);
  if (status == OK) status = journalReserve(JOURNAL_ENTRIES_PER_CHANGE * (identifiers + touchedMembers));
  if (status == OK && touchedMembers > 0) status = ensureHeadroom(reclusterHeadroom(touchedMembers, touchedDegree) + SHARED_CHECK_HEADROOM);
  return status;
}

function reserveArena(bytes: u64): i32 {
  if (<u64>kindCount(KIND_ARENA) + bytes > <u64>MAX_RECORDS) return ERR_CAPACITY;
  return reserveElements(KIND_ARENA, <u32>bytes);
}

/** The node for (tenant, type, value), created on first sight (with a display slot when `displayed`). */
function intern(tenant: u32, type: u32, value: usize, len: u32, time: f64, displayed: bool): u32 {
  const hash = identifierHash(tenant, type, value, len);
  const tag = <u32>hash;
  const desc = header(HEADER_IDENT_TABLE);
  const slot = identifierSlot(desc, tenant, type, value, len, tag);
  const existing = slotRef(slot);
  if (existing != 0) return existing;
  const node = takeElements(KIND_NODES, 1);
  const n = nodeAt(node);
  makeSingleton(node);
  store<u16>(n, <u16>tenant, NODE_TENANT);
  store<u8>(n, <u8>type, NODE_TYPE);
  store<u32>(n, arenaPutPrefixed(value, len, displayed ? DISPLAY_SLOT_BYTES : 0), NODE_VALUE);
  if (displayed) store<u8>(n, NODE_FLAG_DISPLAY, NODE_FLAGS);
  store<f64>(n, time, NODE_FIRST_SEEN);
  store<f64>(n, time, NODE_LAST_SEEN);
  tableFill(desc, slot, tag, node);
  bump(tenant, TENANT_IDENTIFIERS);
  return node;
}

/** Records that the node was seen at `time`; an email keeps the form it was last typed in. */
function touch(node: u32, time: f64, display: usize, displayLen: u32): void {
  const n = nodeAt(node);
  if (time < load<f64>(n, NODE_FIRST_SEEN)) {
    freezeCreated(n); // a founder's first-seen was its persona's createdAt
    store<f64>(n, time, NODE_FIRST_SEEN);
  }
  if (time < load<f64>(n, NODE_LAST_SEEN)) return;
  store<f64>(n, time, NODE_LAST_SEEN);
  if (<u32>load<u8>(n, NODE_TYPE) == TYPE_EMAIL) setDisplay(n, display, displayLen);
  // a one-member persona's values are its node's: nothing to offer
  const values = storedValuesOfRoot(find(node));
  if (values != 0) offerLatest(values, node);
}

function setDisplay(n: usize, display: usize, displayLen: u32): void {
  let slot = displaySlot(n);
  if (displayLen == 0) {
    if (slot != 0) store<u32>(slot, 0);
    return;
  }
  const current = slot != 0 ? load<u32>(slot) : 0;
  if (current != 0) {
    const stored = arenaAt(current);
    if (<u32>load<u16>(stored) == displayLen && memory.compare(stored + DISPLAY_PREFIX_BYTES, display, displayLen) == 0) return;
  }
  if (slot == 0) slot = addDisplaySlot(n);
  // the old form stays in the arena: an address is rarely typed in more than a couple of ways
  store<u32>(slot, arenaPutPrefixed(display, displayLen));
}

function link(x: u32, y: u32, eventClass: u8, seq: f64, item: u32, time: f64): void {
  if (x == y) return;
  const strength = pairStrength(eventClass, <u32>load<u8>(nodeAt(x), NODE_TYPE), <u32>load<u8>(nodeAt(y), NODE_TYPE));
  const edge = edgeBetween(x, y, seq, item, time, strength);
  const e = edgeAt(edge);
  let decision: u8;
  if (!linkable(x) || !linkable(y)) decision = DECISION_IGNORED;
  else if (edgeCut(e)) decision = DECISION_CUT;
  else decision = attemptUnion(x, y, edgeStrength(e), edge);
  if (decision != DECISION_RECLUSTERED) setEdgeDecision(e, decision);
}

function isBlocked(node: u32): bool {
  return (load<u8>(nodeAt(node), NODE_FLAGS) & NODE_FLAG_BLOCKED) != 0;
}

function isDevice(node: u32): bool {
  return <u32>load<u8>(nodeAt(node), NODE_TYPE) == TYPE_DEVICE;
}

/**
 * Links the event's pairs that involve a device (`devices`) or none: the anchor to every other
 * identifier, then, for events small enough to be a clique, every other pair.
 */
function linkPairs(nodes: usize, count: u32, anchor: u32, devices: bool, eventClass: u8, seq: f64, item: u32, time: f64): void {
  if (anchor == 0) return;
  const anchorIsDevice = isDevice(anchor);
  for (let j: u32 = 0; j < count; j++) {
    const y = load<u32>(nodes + <usize>(j * 4));
    if (isBlocked(y) || (anchorIsDevice || isDevice(y)) != devices) continue;
    link(anchor, y, eventClass, seq, item, time);
  }
  if (count > CLIQUE_MAX) return;
  for (let i: u32 = 0; i < count; i++) {
    const x = load<u32>(nodes + <usize>(i * 4));
    if (x == anchor || isBlocked(x)) continue;
    for (let j = i + 1; j < count; j++) {
      const y = load<u32>(nodes + <usize>(j * 4));
      if (y == anchor || isBlocked(y) || (isDevice(x) || isDevice(y)) != devices) continue;
      link(x, y, eventClass, seq, item, time);
    }
  }
}

/**
 * Weighs again the device's refused evidence from the session around `time`: what the device was
 * refused earlier in a visit may join now that the visit has shown whose it is (a subscription
 * with a new address, then a login, minutes apart).
 */
function retrySession(device: u32, time: f64): void {
  for (let e = firstEdge(device); e != 0; e = nextEdge(e, device)) {
    const other = otherEnd(e, device);
    if (!refusedInSession(e, time) || !linkable(other)) continue;
    const decision = attemptUnion(device, other, STRENGTH_MEDIUM, e);
    if (decision != DECISION_RECLUSTERED) setEdgeDecision(edgeAt(e), decision);
  }
}

function applyEvent(at: usize, seq: f64): usize {
  const tenant = load<u32>(at);
  const eventClass = load<u8>(at, 4);
  const count = <u32>load<u8>(at, 5);
  const item = load<u32>(at, 8);
  const time = load<f64>(at, 16);
  const nodes = header(HEADER_EVENT_NODES);
  at += EVENT_HEADER_BYTES;
  let anchor: u32 = 0; // the most stable identifier of the event that may link: centre of a star
  for (let j: u32 = 0; j < count; j++) {
    const type = <u32>load<u8>(at);
    const flags = load<u8>(at, 1);
    const len = <u32>load<u16>(at, 2);
    const displayLen = <u32>load<u16>(at, 4);
    const value = at + IDENTIFIER_HEADER_BYTES;
    const node = intern(tenant, type, value, len, time, displayLen > 0 && type == TYPE_EMAIL);
    if ((flags & ID_FLAG_BLOCKED) != 0) {
      const n = nodeAt(node);
      store<u8>(n, load<u8>(n, NODE_FLAGS) | NODE_FLAG_BLOCKED, NODE_FLAGS);
    }
    touch(node, time, value + len, displayLen);
    store<u32>(nodes + <usize>(j * 4), node);
    if (!isBlocked(node) && (anchor == 0 || typeRank(type) < typeRank(<u32>load<u8>(nodeAt(anchor), NODE_TYPE)))) anchor = node;
    at += IDENTIFIER_HEADER_BYTES + align4(len + displayLen);
  }
  // evidence between the event's identifiers (blocked ones link nothing and leave no evidence).
  // Person identifiers link first, so the people an event names are whole before a device beside
  // them is weighed; within a pass the anchor's links come first, so when every identifier is new
  // the most stable one founds.
  linkPairs(nodes, count, anchor, false, eventClass, seq, item, time);
  linkPairs(nodes, count, anchor, true, eventClass, seq, item, time);
  if (eventClass == EVENT_CLASS_AUTHENTICATED && guardrailsOn(tenant)) {
    for (let j: u32 = 0; j < count; j++) {
      const node = load<u32>(nodes + <usize>(j * 4));
      if (isDevice(node) && linkable(node)) retrySession(node, time);
    }
  }
  // every identifier ends the event inside a persona
  for (let j: u32 = 0; j < count; j++) {
    const node = load<u32>(nodes + <usize>(j * 4));
    const root = find(node);
    if (personaOfRoot(root) == 0) foundPersona(root);
  }
  // identifiers seen with more people than one person plausibly is
  if (guardrailsOn(tenant)) {
    for (let j: u32 = 0; j < count; j++) {
      const node = load<u32>(nodes + <usize>(j * 4));
      if (gainedEvidence(node, seq, item)) checkShared(node);
    }
  }
  return at;
}

/**
 * Whether this event gave `node` a new partner (new edges head its adjacency list): only then can
 * it have met another identity. A page view of a known device, the bulk of the traffic, did not.
 */
function gainedEvidence(node: u32, seq: f64, item: u32): bool {
  const e = firstEdge(node);
  return e != 0 && load<u64>(edgeAt(e), EDGE_SEQ_ITEM) == seqItem(seq, item);
}

/** Applies a batch; returns OK, or an error code with nothing applied. */
export function applyBatch(ptr: usize, len: u32, seq: f64): i32 {
  const status = reserveFor(ptr, len, seq);
  if (status != OK) return status;
  const events = load<u32>(ptr);
  let at = ptr + 4;
  for (let i: u32 = 0; i < events; i++) at = applyEvent(at, seq);
  store<f64>(header(HEADER_APPLIED_SEQ), seq);
  return OK;
}
