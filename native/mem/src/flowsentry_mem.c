/*
 * flowsentry_mem: memory for per-flow state, backed by transparent huge pages where the kernel has them.
 *
 * Why: the flow table, meter clocks, TCP state and feature state are indexed by flow slot, so every
 * packet lands on a random place in tens of megabytes. With 4 KiB pages each of those places is also
 * a TLB miss, and inside a VM a TLB miss is a two-dimensional page walk. Linux gives anonymous memory
 * 2 MiB pages only when asked (transparent_hugepage = madvise, the Debian default), and V8 does not ask
 * for ArrayBuffers. This addon maps the memory itself, 2 MiB-aligned, advises MADV_HUGEPAGE, and hands
 * it to JS as an external ArrayBuffer that unmaps it when collected.
 *
 * JS surface (typed in src/util/state-memory.ts):
 *   allocHugePages(bytes) -> ArrayBuffer (zero-filled) | null when the mapping fails
 *   hugePageStatus() -> string: /sys/kernel/mm/transparent_hugepage/enabled's choice, or "unavailable"
 */
#include <node_api.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
  void *base;
  size_t len;
  int64_t accounted;
} region_t;

static void release(napi_env env, void *data, void *hint) {
  region_t *r = hint;
  int64_t ignored;
  munmap(r->base, r->len);
  napi_adjust_external_memory(env, -r->accounted, &ignored);
  free(r);
}

static napi_value null_value(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

static napi_value alloc_huge_pages(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double requested = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &requested) != napi_ok || !(requested >= 1) ||
      requested > (double)((size_t)1 << 46)) {
    napi_throw_range_error(env, NULL, "allocHugePages(bytes): bytes must be a number in [1, 2^46]");
    return NULL;
  }
  size_t bytes = (size_t)requested;
  // one spare huge page so the usable range can start on a 2 MiB boundary (THP maps aligned ranges only)
  size_t len = bytes + HUGE_PAGE;
  void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return null_value(env);
  uintptr_t start = ((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  // advice only: on kernels without THP this fails and the memory still works with small pages
  madvise((void *)start, bytes, MADV_HUGEPAGE);
  region_t *r = malloc(sizeof *r);
  if (r == NULL) {
    munmap(base, len);
    return null_value(env);
  }
  r->base = base;
  r->len = len;
  // V8 schedules collections by the memory it knows of; tell it about the part we may use
  r->accounted = (int64_t)bytes;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, (void *)start, bytes, release, r, &ab) != napi_ok) {
    munmap(base, len);
    free(r);
    return null_value(env);
  }
  int64_t ignored;
  napi_adjust_external_memory(env, r->accounted, &ignored);
  return ab;
}

static napi_value huge_page_status(napi_env env, napi_callback_info info) {
  char buf[256] = {0};
  const char *status = "unavailable";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f != NULL) {
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    // the active choice is the bracketed one: "always [madvise] never"
    char *open = strchr(buf, '['), *close = open ? strchr(open, ']') : NULL;
    if (open && close) {
      *close = 0;
      status = open + 1;
    }
  }
  napi_value v;
  napi_create_string_utf8(env, status, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"allocHugePages", NULL, alloc_huge_pages, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hugePageStatus", NULL, huge_page_status, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
