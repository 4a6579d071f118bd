// Reference 3: the C baseline for `bench:core`. Same job and same data structures as
// typed-uf.ts: intern keys (FNV-1a 32, open addressing with linear probing over [hash, node+1]
// slot pairs, key bytes copied to an arena and compared on a hash hit), union by size with path
// halving, find. Reads the workload file written by workload.ts (layout documented there).
//
// usage: uf WORKLOAD [--iterations N] [--roots-out PATH]
// Prints JSON: median ns/op per phase over N runs (each run starts from a fresh, zeroed state
// prepared untimed: "<phase>_ns_per_op"), plus the op counts and the samples in run order. --roots-out writes the last run's find roots as u32 LE.
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
  const char *workload_path = NULL, *roots_out = NULL;
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
    } else if (argv[i][0] != '-' && !workload_path) {
      workload_path = argv[i];
    } else {
      die("unexpected argument %s (usage: uf WORKLOAD [--iterations N] [--roots-out PATH])", argv[i]);
    }
  }
  if (!workload_path) die("missing workload file%s (usage: uf WORKLOAD [--iterations N] [--roots-out PATH])", "");

  Workload w = read_workload(workload_path);
  Graph g = graph_alloc(w.ids, w.key_bytes);
  uint32_t *node_of_id = alloc_or_die((size_t)w.ids * sizeof(uint32_t));
  uint32_t *roots = alloc_or_die((size_t)w.finds * sizeof(uint32_t));
  double *samples[PHASE_COUNT];
  for (int p = 0; p < PHASE_COUNT; p++) samples[p] = alloc_or_die((size_t)iterations * sizeof(double));
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
  }

  if (roots_out) {
    FILE *f = fopen(roots_out, "wb");
    if (!f || fwrite(roots, sizeof(uint32_t), w.finds, f) != w.finds || fclose(f) != 0)
      die("cannot write roots to %s", roots_out);
  }

  /* Summing the roots makes the find loop observable, so no optimizer can drop it. */
  uint32_t roots_sum = 0;
  for (uint32_t k = 0; k < w.finds; k++) roots_sum += roots[k];

  printf("{ \"iterations\": %d, \"roots_sum\": %u", iterations, roots_sum);
  for (int p = 0; p < PHASE_COUNT; p++) {
    printf(", \"%s_ops\": %.0f", PHASE_NAMES[p], ops[p]);
    printf(", \"%s_ns_per_op_samples\": [", PHASE_NAMES[p]);
    for (int it = 0; it < iterations; it++) printf("%s%.3f", it ? ", " : "", samples[p][it]);
    printf("]");
  }
  for (int p = 0; p < PHASE_COUNT; p++) printf(", \"%s_ns_per_op\": %.3f", PHASE_NAMES[p], median(samples[p], iterations));
  printf(" }\n");
  return 0;
}
