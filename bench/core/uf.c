// Reference 3: the C baseline for `bench:core`. Same job and same data structures as
// typed-uf.ts: intern keys (FNV-1a 32, open addressing with linear probing over [hash, node+1]
// slot pairs, key bytes copied to an arena and compared on a hash hit), union by size with path
// halving, find. Reads the workload file written by workload.ts (layout documented there).
//
// usage: uf WORKLOAD [--iterations N] [--roots-out PATH] [--persona-roots-out PATH]
// Each run also times the same three phases with the WASM core's persona records ("personas_"
// samples; see PersonaGraph): the fair reference for the core's in-core union, which keeps them.
// Prints JSON: median ns/op per phase over N runs (each run starts from a fresh, zeroed state
// prepared untimed: "<phase>_ns_per_op"), plus the op counts and the samples in run order. --roots-out
// (--persona-roots-out) writes the last run's find roots as u32 LE.
#define _POSIX_C_SOURCE 199309L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the workload file is little-endian and is read in place: build on a little-endian machine"
#endif

#define MAGIC "PGUFWL01"
#define MAGIC_BYTES 8
#define HEADER_WORDS 4
#define HEADER_BYTES (MAGIC_BYTES + 4 * HEADER_WORDS)
#define SLOTS_PER_KEY 2 /* table at most half full, as in typed-uf.ts */
#define SLOT_WORDS 2    /* [hash, node + 1]; node word 0 = empty */
#define FNV1A_32_OFFSET 0x811c9dc5u
#define FNV1A_32_PRIME 0x01000193u
#define MAX_ITERATIONS 1000
#define NS_PER_S 1000000000.0

enum { PHASE_INTERN, PHASE_UNION, PHASE_FIND, PHASE_COUNT };
static const char *const PHASE_NAMES[PHASE_COUNT] = {"intern", "union", "find"};

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "uf: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(1);
}

static void *alloc_or_die(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) die("out of memory (%s)", "allocation failed");
  return p;
}

typedef struct {
  uint8_t *file; /* owns every array below */
  uint32_t ids, unions, finds, key_bytes;
  const uint32_t *key_offsets, *union_pairs, *find_ids;
  const uint8_t *keys;
} Workload;

static uint32_t read_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static Workload read_workload(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open workload file %s", path);
  if (fseek(f, 0, SEEK_END) != 0) die("cannot seek in %s", path);
  long size = ftell(f);
  if (size < 0) die("cannot size %s", path);
  rewind(f);
  Workload w;
  w.file = alloc_or_die((size_t)size);
  if (fread(w.file, 1, (size_t)size, f) != (size_t)size) die("cannot read %s", path);
  fclose(f);

  if ((size_t)size < HEADER_BYTES) die("workload file %s is shorter than its header", path);
  if (memcmp(w.file, MAGIC, MAGIC_BYTES) != 0) die("workload file %s has a bad magic (want PGUFWL01)", path);
  w.ids = read_u32(w.file + MAGIC_BYTES);
  w.unions = read_u32(w.file + MAGIC_BYTES + 4);
  w.finds = read_u32(w.file + MAGIC_BYTES + 8);
  w.key_bytes = read_u32(w.file + MAGIC_BYTES + 12);
  uint64_t expected = HEADER_BYTES + 4ull * ((uint64_t)w.ids + 1 + 2ull * w.unions + w.finds) + w.key_bytes;
  if ((uint64_t)size != expected) die("workload file %s: size does not match its header", path);

  /* The header is 24 bytes and malloc aligns to 16, so the u32 arrays are aligned. */
  w.key_offsets = (const uint32_t *)(w.file + HEADER_BYTES);
  w.union_pairs = w.key_offsets + w.ids + 1;
  w.find_ids = w.union_pairs + 2ull * w.unions;
  w.keys = (const uint8_t *)(w.find_ids + w.finds);

  if (w.key_offsets[0] != 0 || w.key_offsets[w.ids] != w.key_bytes) die("workload file %s: bad key offsets", path);
  for (uint32_t i = 0; i < w.ids; i++)
    if (w.key_offsets[i + 1] < w.key_offsets[i]) die("workload file %s: key offsets decrease", path);
  for (uint64_t i = 0; i < 2ull * w.unions; i++)
    if (w.union_pairs[i] >= w.ids) die("workload file %s: a union pair names an unknown id", path);
  for (uint32_t i = 0; i < w.finds; i++)
    if (w.find_ids[i] >= w.ids) die("workload file %s: a find id is unknown", path);
  return w;
}

static inline uint32_t fnv1a32(const uint8_t *bytes, uint32_t length) {
  uint32_t h = FNV1A_32_OFFSET;
  for (uint32_t i = 0; i < length; i++) h = (h ^ bytes[i]) * FNV1A_32_PRIME;
  return h;
}

typedef struct {
  uint32_t *slots;
  uint32_t mask;
  uint8_t *arena;
  uint32_t *key_start; /* node n's bytes: arena[key_start[n] .. key_start[n+1]) */
  uint32_t count, max_keys, arena_bytes;
  int32_t *parent, *size;
} Graph;

static Graph graph_alloc(uint32_t max_keys, uint32_t arena_bytes) {
  Graph g;
  uint64_t capacity = 1;
  while (capacity < (uint64_t)max_keys * SLOTS_PER_KEY) capacity <<= 1;
  g.mask = (uint32_t)(capacity - 1);
  g.slots = alloc_or_die(capacity * SLOT_WORDS * sizeof(uint32_t));
  g.arena = alloc_or_die(arena_bytes);
  g.key_start = alloc_or_die(((size_t)max_keys + 1) * sizeof(uint32_t));
  g.parent = alloc_or_die((size_t)max_keys * sizeof(int32_t));
  g.size = alloc_or_die((size_t)max_keys * sizeof(int32_t));
  g.max_keys = max_keys;
  g.arena_bytes = arena_bytes;
  return g;
}

/* Empties the graph; writing every byte also takes the page faults outside the timed phases. */
static void graph_reset(Graph *g) {
  memset(g->slots, 0, ((size_t)g->mask + 1) * SLOT_WORDS * sizeof(uint32_t));
  memset(g->arena, 0, g->arena_bytes);
  memset(g->key_start, 0, ((size_t)g->max_keys + 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < g->max_keys; i++) {
    g->parent[i] = (int32_t)i;
    g->size[i] = 1;
  }
  g->count = 0;
}

static uint32_t intern(Graph *g, const uint8_t *key, uint32_t length) {
  uint32_t hash = fnv1a32(key, length);
  uint32_t slot = hash & g->mask;
  for (;;) {
    uint32_t entry = g->slots[slot * SLOT_WORDS + 1];
    if (entry == 0) break;
    uint32_t node = entry - 1;
    if (g->slots[slot * SLOT_WORDS] == hash && g->key_start[node + 1] - g->key_start[node] == length &&
        memcmp(g->arena + g->key_start[node], key, length) == 0)
      return node;
    slot = (slot + 1) & g->mask;
  }
  uint32_t node = g->count;
  if (node == g->max_keys) die("identifier table is full%s", "");
  uint32_t at = g->key_start[node];
  if ((uint64_t)at + length > g->arena_bytes) die("identifier arena is full%s", "");
  memcpy(g->arena + at, key, length);
  g->key_start[node + 1] = at + length;
  g->slots[slot * SLOT_WORDS] = hash;
  g->slots[slot * SLOT_WORDS + 1] = node + 1;
  g->count = node + 1;
  return node;
}

static inline int32_t find(int32_t *parent, int32_t x) {
  int32_t p = parent[x];
  while (p != x) {
    int32_t grandparent = parent[p];
    parent[x] = grandparent;
    x = grandparent;
    p = parent[x];
  }
  return x;
}

/* The larger set's root stays root (a's on a tie), exactly as in typed-uf.ts. */
static inline void unite(Graph *g, int32_t a, int32_t b) {
  int32_t root = find(g->parent, a);
  int32_t child = find(g->parent, b);
  if (root == child) return;
  if (g->size[root] < g->size[child]) {
    int32_t t = root;
    root = child;
    child = t;
  }
  g->parent[child] = root;
  g->size[root] += g->size[child];
}

/* ---- the same union-find carrying what the WASM core's persona records carry ----
 * A port of the WASM core's in-core union (assembly/unify.ts attemptUnion → mergeRoots, guardrails
 * off, no evidence edge) on the same record layout (assembly/layout.ts, layout 11): 32-byte nodes with
 * a circular member ring, a u32 parent column whose root slots hold PARENT_ROOT and either
 * PARENT_VALUES | the persona's values record or its founder node (a persona has no record of its
 * own: it is named by its founder node, whose flags say it is active; its createdAt is the founder's
 * first-seen unless the node's value field leads to a 12-byte created record holding it; the id is the founder's key hash,
 * recomputed on a createdAt tie as the core does), 60-byte values records (counts per type, latest
 * email and phone with their times, updated, degree, founder | flags) for personas of two or more
 * members, reused from a free list, per-tenant counters and a journal of merges. Intern founds a
 * persona per key, as the WASM core's bench intern does (one identifier per event). Flat arrays
 * instead of the core's page tables: the page tables stay in cache. */
#define PARENT_ROOT 0x80000000u
#define PARENT_VALUES 0x40000000u
#define PARENT_REF_MASK 0x3FFFFFFFu
#define NODE_FLAG_FOUNDER 1u
#define NODE_FLAG_ACTIVE 32u
#define NODE_FLAG_CREATED 64u
#define VALUES_FOUNDER_MASK ((1u << 26) - 1)
#define TYPE_EMAIL 0
#define TYPE_PHONE 1
#define TYPE_COUNT 5
#define JOURNAL_MERGE 1u
#define BENCH_TENANT 1

typedef struct {
  double first_seen, last_seen;
  uint32_t next, value, first_edge;
  uint16_t tenant;
  uint8_t type, flags;
} Node; /* 32 bytes, as NODE_SIZE; the value's length is in the arena (here: key_start) */

typedef struct __attribute__((packed)) {
  double updated, latest_email_time, latest_phone_time;
  uint32_t counts[TYPE_COUNT];
  uint32_t latest_email, latest_phone, degree, founder; /* founder node | flags above VALUES_FOUNDER_MASK */
} Values; /* 60 bytes, as VALUES_SIZE; next free record in the first word while free */

typedef struct __attribute__((packed)) {
  double time;
  uint32_t value;
} Created; /* 12 bytes, as CREATED_SIZE: a founder's createdAt once its first-seen moved (never on this path) */

typedef struct { uint32_t personas, merges, flags; } Tenant;

typedef struct {
  Graph keys; /* the identifier table of the bare reference, unchanged */
  Node *nodes;
  uint32_t *parent;
  Values *values;
  Created *created;
  uint32_t values_count, values_free;
  uint32_t *journal, journal_count, journal_capacity;
  Tenant tenants[2];
} PersonaGraph;

_Static_assert(sizeof(Node) == 32 && sizeof(Values) == 60 && sizeof(Created) == 12, "record sizes of layout 12");

static PersonaGraph persona_graph_alloc(uint32_t max_keys, uint32_t arena_bytes) {
  PersonaGraph g;
  g.keys = graph_alloc(max_keys, arena_bytes);
  g.nodes = alloc_or_die(((size_t)max_keys + 1) * sizeof(Node));
  g.parent = alloc_or_die(((size_t)max_keys + 1) * sizeof(uint32_t));
  g.values = alloc_or_die(((size_t)max_keys + 1) * sizeof(Values));
  g.created = alloc_or_die(sizeof(Created)); /* no founder is re-sighted earlier here: none is taken */
  g.journal_capacity = max_keys; /* room for every merge (fewer than the keys) */
  g.journal = alloc_or_die((size_t)g.journal_capacity * 3 * sizeof(uint32_t));
  return g;
}

static void persona_graph_reset(PersonaGraph *g) {
  uint32_t n = g->keys.max_keys + 1;
  graph_reset(&g->keys);
  memset(g->nodes, 0, (size_t)n * sizeof(Node));
  memset(g->parent, 0, (size_t)n * sizeof(uint32_t));
  memset(g->values, 0, (size_t)n * sizeof(Values));
  memset(g->journal, 0, (size_t)g->journal_capacity * 3 * sizeof(uint32_t));
  memset(g->tenants, 0, sizeof g->tenants);
  g->values_count = g->values_free = g->journal_count = 0;
}

static uint64_t fnv1a64(const uint8_t *bytes, uint32_t length) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < length; i++) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return h;
}

/* Interns a key as node (index + 1) and founds its persona (founder and active flags: since layout 12 the
   identifier table finds a persona by its id too, so founding adds no table slot). */
static uint32_t persona_intern(PersonaGraph *g, const uint8_t *key, uint32_t length, double time) {
  uint32_t before = g->keys.count;
  uint32_t node = intern(&g->keys, key, length) + 1;
  if (g->keys.count == before) return node;
  Node *n = &g->nodes[node];
  n->first_seen = n->last_seen = time;
  n->next = node;
  n->tenant = BENCH_TENANT;
  n->type = TYPE_EMAIL;
  n->value = g->keys.key_start[node - 1];
  n->flags = NODE_FLAG_FOUNDER | NODE_FLAG_ACTIVE;
  g->parent[node] = PARENT_ROOT | node;
  g->tenants[BENCH_TENANT].personas++;
  return node;
}

static inline uint32_t persona_find(uint32_t *parent, uint32_t x) {
  uint32_t p = parent[x];
  while (!(p & PARENT_ROOT)) {
    uint32_t grand = parent[p];
    if (grand & PARENT_ROOT) return p;
    parent[x] = grand;
    x = grand;
    p = parent[x];
  }
  return x;
}

static inline uint32_t values_of_slot(uint32_t slot) {
  return (slot & PARENT_VALUES) ? slot & PARENT_REF_MASK : 0;
}

static inline uint32_t persona_of_slot(const PersonaGraph *g, uint32_t slot) {
  return (slot & PARENT_VALUES) ? g->values[slot & PARENT_REF_MASK].founder & VALUES_FOUNDER_MASK : slot & PARENT_REF_MASK;
}

static inline uint32_t members_of(const Values *v) {
  uint32_t m = 0;
  for (int t = 0; t < TYPE_COUNT; t++) m += v->counts[t];
  return m;
}

static inline uint32_t degree_of(PersonaGraph *g, uint32_t node) {
  return g->nodes[node].first_edge != 0; /* no evidence edges on this path: the list is empty */
}

static int compare_values(PersonaGraph *g, uint32_t a, uint32_t b) {
  const Node *na = &g->nodes[a], *nb = &g->nodes[b];
  uint32_t la = g->keys.key_start[a] - na->value, lb = g->keys.key_start[b] - nb->value; /* node n is key n - 1 */
  int c = memcmp(g->keys.arena + na->value, g->keys.arena + nb->value, la < lb ? la : lb);
  return c ? c : (int)la - (int)lb;
}

/* Makes (candidate, time) the latest email (or phone) of v when it beats the current one. */
static inline void take_latest(PersonaGraph *g, Values *v, int phone, uint32_t candidate, double time) {
  uint32_t current = phone ? v->latest_phone : v->latest_email;
  double current_time = phone ? v->latest_phone_time : v->latest_email_time;
  if (candidate == 0) return;
  int beats = current == 0 || time > current_time ||
              (time == current_time && candidate != current && compare_values(g, candidate, current) < 0);
  if (!beats) return;
  if (phone) {
    v->latest_phone = candidate;
    v->latest_phone_time = time;
  } else {
    v->latest_email = candidate;
    v->latest_email_time = time;
  }
}

static void values_from_node(PersonaGraph *g, Values *v, uint32_t node) {
  const Node *n = &g->nodes[node];
  memset(v, 0, sizeof *v);
  v->counts[n->type] = 1;
  v->updated = n->last_seen;
  v->degree = degree_of(g, node);
  if (n->type == TYPE_EMAIL) {
    v->latest_email = node;
    v->latest_email_time = n->last_seen;
  } else if (n->type == TYPE_PHONE) {
    v->latest_phone = node;
    v->latest_phone_time = n->last_seen;
  }
}

/* A values record for the one-member persona rec rooted at root (its founder), from the free list first. */
static uint32_t give_values(PersonaGraph *g, uint32_t root, uint32_t rec) {
  uint32_t v = g->values_free;
  if (v) memcpy(&g->values_free, &g->values[v], sizeof(uint32_t));
  else v = ++g->values_count;
  values_from_node(g, &g->values[v], root);
  g->values[v].founder = (g->values[v].founder & ~VALUES_FOUNDER_MASK) | rec;
  return v;
}

static void free_values(PersonaGraph *g, uint32_t v) {
  memset(&g->values[v], 0, sizeof(Values));
  memcpy(&g->values[v], &g->values_free, sizeof(uint32_t));
  g->values_free = v;
}

static void merge_values_into(PersonaGraph *g, Values *dst, const Values *src) {
  dst->founder |= src->founder & ~VALUES_FOUNDER_MASK;
  dst->degree += src->degree;
  for (int t = 0; t < TYPE_COUNT; t++) dst->counts[t] += src->counts[t];
  if (src->updated > dst->updated) dst->updated = src->updated;
  take_latest(g, dst, 0, src->latest_email, src->latest_email_time);
  take_latest(g, dst, 1, src->latest_phone, src->latest_phone_time);
}

static void merge_node_into(PersonaGraph *g, Values *dst, uint32_t node) {
  const Node *n = &g->nodes[node];
  dst->degree += degree_of(g, node);
  dst->counts[n->type]++;
  if (n->last_seen > dst->updated) dst->updated = n->last_seen;
  if (n->type == TYPE_EMAIL) take_latest(g, dst, 0, node, n->last_seen);
  else if (n->type == TYPE_PHONE) take_latest(g, dst, 1, node, n->last_seen);
}

/* The persona id, recomputed from the founder's key (the core hashes the founder's value too). */
static uint64_t persona_id(const PersonaGraph *g, uint32_t founder) {
  const uint32_t *start = g->keys.key_start;
  return fnv1a64(g->keys.arena + start[founder - 1], start[founder] - start[founder - 1]);
}

/* createdAt of the persona a node founded: its first-seen, or its created record (as the core's). */
static inline double created_at(const PersonaGraph *g, uint32_t founder) {
  const Node *n = &g->nodes[founder];
  return (n->flags & NODE_FLAG_CREATED) ? g->created[n->value].time : n->first_seen;
}

static inline int older_persona(const PersonaGraph *g, uint32_t a, uint32_t b) {
  double ca = created_at(g, a), cb = created_at(g, b);
  if (ca != cb) return ca < cb;
  return persona_id(g, a) <= persona_id(g, b);
}

/* attemptUnion with guardrails off and no bridged persona: always merges two different personas. */
static void persona_unite(PersonaGraph *g, uint32_t a, uint32_t b) {
  uint32_t ra = persona_find(g->parent, a), rb = persona_find(g->parent, b);
  if (ra == rb) return;
  uint32_t tenant = g->nodes[ra].tenant;
  uint32_t next_a = g->nodes[ra].next, next_b = g->nodes[rb].next;
  uint32_t slot_a = g->parent[ra], slot_b = g->parent[rb];
  uint32_t values_a = values_of_slot(slot_a), values_b = values_of_slot(slot_b);
  Values *stored_a = values_a ? &g->values[values_a] : NULL, *stored_b = values_b ? &g->values[values_b] : NULL;
  uint32_t rec_a = persona_of_slot(g, slot_a), rec_b = persona_of_slot(g, slot_b);
  if (g->tenants[tenant].flags != 0 || (stored_a && (stored_a->founder & ~VALUES_FOUNDER_MASK)) ||
      (stored_b && (stored_b->founder & ~VALUES_FOUNDER_MASK)))
    die("guardrails and bridges are not part of this reference%s", "");
  uint32_t survivor = older_persona(g, rec_a, rec_b) ? rec_a : rec_b;
  uint32_t absorbed = survivor == rec_a ? rec_b : rec_a;
  int survivor_is_a = survivor == rec_a;
  const Values *absorbed_stored = survivor_is_a ? stored_b : stored_a;
  uint32_t absorbed_values = survivor_is_a ? values_b : values_a;
  uint32_t size_a = stored_a ? members_of(stored_a) : 1, size_b = stored_b ? members_of(stored_b) : 1;
  uint32_t survivor_index = survivor_is_a ? values_a : values_b;
  if (!survivor_index) survivor_index = give_values(g, survivor_is_a ? ra : rb, survivor);
  Values *survivor_values = &g->values[survivor_index];
  if (absorbed_stored) merge_values_into(g, survivor_values, absorbed_stored);
  else merge_node_into(g, survivor_values, survivor_is_a ? rb : ra);
  g->nodes[ra].next = next_b;
  g->nodes[rb].next = next_a;
  uint32_t root = ra;
  if (size_a < size_b || (size_a == size_b && rb < ra)) {
    g->parent[ra] = rb;
    root = rb;
  } else {
    g->parent[rb] = ra;
  }
  g->parent[root] = PARENT_ROOT | PARENT_VALUES | survivor_index;
  g->nodes[absorbed].flags &= ~NODE_FLAG_ACTIVE;
  if (absorbed_values) free_values(g, absorbed_values);
  g->tenants[tenant].personas--;
  g->tenants[tenant].merges++;
  if (g->journal_count < g->journal_capacity) {
    uint32_t *entry = g->journal + 3 * (size_t)g->journal_count++;
    entry[0] = JOURNAL_MERGE;
    entry[1] = survivor;
    entry[2] = absorbed;
  }
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * NS_PER_S + (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, int n) {
  qsort(values, (size_t)n, sizeof(double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int main(int argc, char **argv) {
  const char *workload_path = NULL, *roots_out = NULL, *persona_roots_out = NULL;
  int iterations = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      char *end;
      errno = 0;
      long n = strtol(argv[++i], &end, 10);
      if (errno || *end || n < 1 || n > MAX_ITERATIONS) die("--iterations wants 1..1000, got %s", argv[i]);
      iterations = (int)n;
    } else if (strcmp(argv[i], "--roots-out") == 0 && i + 1 < argc) {
      roots_out = argv[++i];
    } else if (strcmp(argv[i], "--persona-roots-out") == 0 && i + 1 < argc) {
      persona_roots_out = argv[++i];
    } else if (argv[i][0] != '-' && !workload_path) {
      workload_path = argv[i];
    } else {
      die("unexpected argument %s (usage: uf WORKLOAD [--iterations N] [--roots-out PATH] [--persona-roots-out PATH])", argv[i]);
    }
  }
  if (!workload_path) die("missing workload file%s (usage: uf WORKLOAD [--iterations N] [--roots-out PATH] [--persona-roots-out PATH])", "");

  Workload w = read_workload(workload_path);
  Graph g = graph_alloc(w.ids, w.key_bytes);
  uint32_t *node_of_id = alloc_or_die((size_t)w.ids * sizeof(uint32_t));
  uint32_t *roots = alloc_or_die((size_t)w.finds * sizeof(uint32_t));
  PersonaGraph pg = persona_graph_alloc(w.ids, w.key_bytes);
  uint32_t *persona_roots = alloc_or_die((size_t)w.finds * sizeof(uint32_t));
  double *samples[PHASE_COUNT], *persona_samples[PHASE_COUNT];
  for (int p = 0; p < PHASE_COUNT; p++) {
    samples[p] = alloc_or_die((size_t)iterations * sizeof(double));
    persona_samples[p] = alloc_or_die((size_t)iterations * sizeof(double));
  }
  const double ops[PHASE_COUNT] = {w.ids, w.unions, w.finds};

  for (int it = 0; it < iterations; it++) {
    graph_reset(&g);
    memset(node_of_id, 0, (size_t)w.ids * sizeof(uint32_t));
    memset(roots, 0, (size_t)w.finds * sizeof(uint32_t));

    double t0 = now_ns();
    for (uint32_t i = 0; i < w.ids; i++)
      node_of_id[i] = intern(&g, w.keys + w.key_offsets[i], w.key_offsets[i + 1] - w.key_offsets[i]);
    double t1 = now_ns();
    for (uint32_t k = 0; k < w.unions; k++)
      unite(&g, (int32_t)node_of_id[w.union_pairs[2 * k]], (int32_t)node_of_id[w.union_pairs[2 * k + 1]]);
    double t2 = now_ns();
    for (uint32_t k = 0; k < w.finds; k++) roots[k] = (uint32_t)find(g.parent, (int32_t)node_of_id[w.find_ids[k]]);
    double t3 = now_ns();

    samples[PHASE_INTERN][it] = ops[PHASE_INTERN] ? (t1 - t0) / ops[PHASE_INTERN] : 0;
    samples[PHASE_UNION][it] = ops[PHASE_UNION] ? (t2 - t1) / ops[PHASE_UNION] : 0;
    samples[PHASE_FIND][it] = ops[PHASE_FIND] ? (t3 - t2) / ops[PHASE_FIND] : 0;

    /* the same three phases with persona records (node ids are key index + 1, as in the WASM core) */
    persona_graph_reset(&pg);
    memset(persona_roots, 0, (size_t)w.finds * sizeof(uint32_t));
    t0 = now_ns();
    for (uint32_t i = 0; i < w.ids; i++)
      node_of_id[i] = persona_intern(&pg, w.keys + w.key_offsets[i], w.key_offsets[i + 1] - w.key_offsets[i], (double)i);
    t1 = now_ns();
    for (uint32_t k = 0; k < w.unions; k++)
      persona_unite(&pg, node_of_id[w.union_pairs[2 * k]], node_of_id[w.union_pairs[2 * k + 1]]);
    t2 = now_ns();
    for (uint32_t k = 0; k < w.finds; k++) persona_roots[k] = persona_find(pg.parent, node_of_id[w.find_ids[k]]);
    t3 = now_ns();
    persona_samples[PHASE_INTERN][it] = ops[PHASE_INTERN] ? (t1 - t0) / ops[PHASE_INTERN] : 0;
    persona_samples[PHASE_UNION][it] = ops[PHASE_UNION] ? (t2 - t1) / ops[PHASE_UNION] : 0;
    persona_samples[PHASE_FIND][it] = ops[PHASE_FIND] ? (t3 - t2) / ops[PHASE_FIND] : 0;
  }

  if (roots_out) {
    FILE *f = fopen(roots_out, "wb");
    if (!f || fwrite(roots, sizeof(uint32_t), w.finds, f) != w.finds || fclose(f) != 0)
      die("cannot write roots to %s", roots_out);
  }

  if (persona_roots_out) {
    FILE *f = fopen(persona_roots_out, "wb");
    if (!f || fwrite(persona_roots, sizeof(uint32_t), w.finds, f) != w.finds || fclose(f) != 0)
      die("cannot write roots to %s", persona_roots_out);
  }

  /* Summing the roots makes the find loops observable, so no optimizer can drop them. */
  uint32_t roots_sum = 0;
  for (uint32_t k = 0; k < w.finds; k++) roots_sum += roots[k] + persona_roots[k];

  printf("{ \"iterations\": %d, \"roots_sum\": %u", iterations, roots_sum);
  for (int p = 0; p < PHASE_COUNT; p++) {
    printf(", \"%s_ops\": %.0f", PHASE_NAMES[p], ops[p]);
    printf(", \"%s_ns_per_op_samples\": [", PHASE_NAMES[p]);
    for (int it = 0; it < iterations; it++) printf("%s%.3f", it ? ", " : "", samples[p][it]);
    printf("]");
  }
  for (int p = 0; p < PHASE_COUNT; p++) {
    printf(", \"personas_%s_ns_per_op_samples\": [", PHASE_NAMES[p]);
    for (int it = 0; it < iterations; it++) printf("%s%.3f", it ? ", " : "", persona_samples[p][it]);
    printf("]");
  }
  for (int p = 0; p < PHASE_COUNT; p++) printf(", \"%s_ns_per_op\": %.3f", PHASE_NAMES[p], median(samples[p], iterations));
  printf(" }\n");
  return 0;
}
