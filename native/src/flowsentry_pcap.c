/*
 * flowsentry_pcap: a small Node-API addon around libpcap for live capture.
 *
 * Why our own addon instead of a generic binding: the pipeline consumes packets in batches
 * (src/capture/batch.ts), so this addon copies packets straight from libpcap's ring into the typed
 * arrays of one reusable JS PacketBatch — one JS->C call per batch, no JS object or callback per
 * packet — and exposes exactly the knobs a sensor needs (immediate mode, kernel buffer size,
 * nanosecond timestamps, drop statistics).
 *
 * Threading model: everything runs on the JS main thread. The pcap handle is non-blocking; when
 * the ring is empty JS asks for a one-shot libuv poll on pcap_get_selectable_fd() and is called
 * back when the kernel marks data ready. Nothing ever blocks the event loop and nothing spins.
 *
 * JS surface (typed in src/capture/libpcap.ts):
 *   libVersion() -> string
 *   findAllDevs() -> [{ name, description, flags, addresses: [{ family, address, netmask, broadaddr, dstaddr }] }]
 *   open(iface, snaplen, promisc, bufferBytes, immediate, timeoutMs, filter|null,
 *        data:Uint8Array, offset:Uint32Array, capLen:Uint32Array, wireLen:Uint32Array,
 *        tsUs:Float64Array, linkType:Uint16Array, ifIndex:Uint16Array)
 *     -> { handle, linkType, linkName, nanoTs, snaplen, warning }
 *   read(handle) -> number of packets written into the arrays (0 = ring empty right now)
 *   watch(handle, cb(errorOrNull)) / unwatch(handle) — one-shot readiness notification
 *   stats(handle) -> { recv, drop, ifdrop, delivered }
 *   close(handle)
 * Errors thrown carry `pcapCode`: ENODEV, EPERM, EFILTER, EIFDOWN, EARG, EPCAP.
 */
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_ARGS 14

typedef struct capture {
  pcap_t *p;
  int linktype;
  int nano; /* timestamps are in ns (pcap_set_tstamp_precision succeeded) */
  uint32_t snaplen;

  /* Views into the JS PacketBatch arrays, kept alive by refs[] for the life of the handle. */
  uint8_t *data;
  size_t data_len;
  uint32_t *offset, *caplen, *wirelen;
  double *ts;
  uint16_t *link, *ifidx;
  uint32_t capacity;
  napi_ref refs[7];

  /* Fill state of the batch being built by the current read(). */
  uint32_t count;
  size_t used;

  /* A packet that did not fit into the data buffer: libpcap has already consumed it from the ring,
   * so it is parked here and becomes the first packet of the next batch instead of being lost. */
  uint8_t *spill;
  uint32_t spill_len, spill_wire;
  double spill_ts;
  int has_spill;

  uint64_t delivered;
  struct pcap_stat final_stats; /* snapshot taken at close so stats() works afterwards */
  int have_final_stats;

  /* Readiness notification. The uv_poll_t is heap-allocated separately because uv_close() finishes
   * asynchronously and the handle memory must outlive this struct. */
  uv_poll_t *poll;
  int polling;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
} capture_t;

/* ---------- small N-API helpers ---------- */

static void throw_code(napi_env env, const char *code, const char *msg) {
  napi_value err = NULL, m = NULL, c = NULL;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return; /* keep the first, most specific error */
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m) != napi_ok) return;
  if (napi_create_error(env, NULL, m, &err) != napi_ok) return;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) == napi_ok) {
    napi_set_named_property(env, err, "pcapCode", c);
  }
  napi_throw(env, err);
}

/* Turns an unexpected napi_status into a JS exception (unless one is already pending). */
static void throw_napi(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  char buf[256];
  napi_get_last_error_info(env, &info);
  snprintf(buf, sizeof buf, "node-api call failed: %s (%s)", what,
           info && info->error_message ? info->error_message : "unknown");
  throw_code(env, "EARG", buf);
}

#define NAPI_CALL(env, call)                \
  do {                                      \
    if ((call) != napi_ok) {                \
      throw_napi((env), #call);             \
      return NULL;                          \
    }                                       \
  } while (0)

static int set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value v;
  if (val == NULL) {
    if (napi_get_null(env, &v) != napi_ok) return -1;
  } else if (napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v) != napi_ok) {
    return -1;
  }
  return napi_set_named_property(env, obj, key, v) == napi_ok ? 0 : -1;
}

static int set_num(napi_env env, napi_value obj, const char *key, double val) {
  napi_value v;
  if (napi_create_double(env, val, &v) != napi_ok) return -1;
  return napi_set_named_property(env, obj, key, v) == napi_ok ? 0 : -1;
}

static int set_bool(napi_env env, napi_value obj, const char *key, int val) {
  napi_value v;
  if (napi_get_boolean(env, val != 0, &v) != napi_ok) return -1;
  return napi_set_named_property(env, obj, key, v) == napi_ok ? 0 : -1;
}

static capture_t *get_capture(napi_env env, napi_value v) {
  void *ptr = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, v, &ptr) != napi_ok || ptr == NULL) {
    throw_code(env, "EARG", "expected a capture handle");
    return NULL;
  }
  return (capture_t *)ptr;
}

/* ---------- libVersion / findAllDevs ---------- */

static napi_value lib_version(napi_env env, napi_callback_info info) {
  napi_value v;
  NAPI_CALL(env, napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v));
  return v;
}

/* Formats a sockaddr as text; returns NULL when absent or of an unknown family. */
static const char *fmt_addr(const struct sockaddr *sa, char *buf, size_t len) {
  if (sa == NULL) return NULL;
  if (sa->sa_family == AF_INET) {
    return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
  }
  if (sa->sa_family == AF_INET6) {
    return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
  }
  if (sa->sa_family == AF_PACKET) {
    const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
    size_t n = ll->sll_halen, pos = 0;
    if (n == 0 || n > sizeof ll->sll_addr || len < n * 3) return NULL;
    for (size_t i = 0; i < n; i++) {
      pos += (size_t)snprintf(buf + pos, len - pos, i ? ":%02x" : "%02x", ll->sll_addr[i]);
    }
    return buf;
  }
  return NULL;
}

static napi_value find_all_devs(napi_env env, napi_callback_info info) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_if_t *devs = NULL;
  if (pcap_findalldevs(&devs, errbuf) != 0) {
    throw_code(env, "EPCAP", errbuf[0] ? errbuf : "pcap_findalldevs failed");
    return NULL;
  }
  napi_value arr;
  uint32_t i = 0;
  if (napi_create_array(env, &arr) != napi_ok) goto fail;
  for (pcap_if_t *d = devs; d != NULL; d = d->next) {
    napi_value o, flags, addrs;
    if (napi_create_object(env, &o) != napi_ok || napi_create_object(env, &flags) != napi_ok ||
        napi_create_array(env, &addrs) != napi_ok)
      goto fail;
    if (set_str(env, o, "name", d->name) || set_str(env, o, "description", d->description)) goto fail;
    if (set_bool(env, flags, "up", d->flags & PCAP_IF_UP) ||
        set_bool(env, flags, "running", d->flags & PCAP_IF_RUNNING) ||
        set_bool(env, flags, "loopback", d->flags & PCAP_IF_LOOPBACK) ||
        set_bool(env, flags, "wireless", d->flags & PCAP_IF_WIRELESS))
      goto fail;
    const char *conn = "unknown";
    switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
      case PCAP_IF_CONNECTION_STATUS_CONNECTED: conn = "connected"; break;
      case PCAP_IF_CONNECTION_STATUS_DISCONNECTED: conn = "disconnected"; break;
      case PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE: conn = "not-applicable"; break;
      default: break;
    }
    if (set_str(env, flags, "connection", conn)) goto fail;
    if (napi_set_named_property(env, o, "flags", flags) != napi_ok) goto fail;
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      char b1[INET6_ADDRSTRLEN + 8], b2[INET6_ADDRSTRLEN + 8], b3[INET6_ADDRSTRLEN + 8], b4[INET6_ADDRSTRLEN + 8];
      if (a->addr == NULL) continue;
      const char *family = a->addr->sa_family == AF_INET    ? "inet"
                           : a->addr->sa_family == AF_INET6 ? "inet6"
                           : a->addr->sa_family == AF_PACKET ? "link"
                                                             : NULL;
      if (family == NULL) continue;
      napi_value ao;
      if (napi_create_object(env, &ao) != napi_ok) goto fail;
      if (set_str(env, ao, "family", family) ||
          set_str(env, ao, "address", fmt_addr(a->addr, b1, sizeof b1)) ||
          set_str(env, ao, "netmask", fmt_addr(a->netmask, b2, sizeof b2)) ||
          set_str(env, ao, "broadaddr", fmt_addr(a->broadaddr, b3, sizeof b3)) ||
          set_str(env, ao, "dstaddr", fmt_addr(a->dstaddr, b4, sizeof b4)))
        goto fail;
      if (napi_set_element(env, addrs, j++, ao) != napi_ok) goto fail;
    }
    if (napi_set_named_property(env, o, "addresses", addrs) != napi_ok) goto fail;
    if (napi_set_element(env, arr, i++, o) != napi_ok) goto fail;
  }
  pcap_freealldevs(devs);
  return arr;
fail:
  pcap_freealldevs(devs);
  throw_napi(env, "findAllDevs");
  return NULL;
}

/* ---------- capture lifetime ---------- */

static void free_poll(uv_handle_t *h) { free(h); }

/* Stops notifications and closes libpcap; safe to call repeatedly. Keeps the struct (stats). */
static void capture_shutdown(capture_t *c) {
  if (c->poll != NULL) {
    if (c->polling) uv_poll_stop(c->poll);
    c->polling = 0;
    c->poll->data = NULL; /* a late callback must not touch a closed capture */
    uv_close((uv_handle_t *)c->poll, free_poll);
    c->poll = NULL;
  }
  if (c->cb != NULL) {
    napi_delete_reference(c->env, c->cb);
    c->cb = NULL;
  }
  if (c->p != NULL) {
    /* Snapshot the counters first: after pcap_close they are gone. */
    if (pcap_stats(c->p, &c->final_stats) == 0) c->have_final_stats = 1;
    pcap_close(c->p);
    c->p = NULL;
  }
}

static void capture_free(capture_t *c) {
  capture_shutdown(c);
  for (int i = 0; i < 7; i++) {
    if (c->refs[i] != NULL) napi_delete_reference(c->env, c->refs[i]);
    c->refs[i] = NULL;
  }
  if (c->actx != NULL) napi_async_destroy(c->env, c->actx);
  free(c->spill);
  free(c);
}

/* GC finalizer of the external: the JS side always calls close(), this is the safety net. */
static void capture_finalize(napi_env env, void *data, void *hint) { capture_free((capture_t *)data); }

/* Reads a typed array argument, checking its element type; 0 on success. */
static int typed_arg(napi_env env, napi_value v, napi_typedarray_type want, void **out, size_t *length,
                     const char *name) {
  bool is = false;
  napi_typedarray_type type;
  size_t len = 0, off = 0;
  void *ptr = NULL;
  napi_value ab;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, &ab, &off) != napi_ok || type != want) {
    char msg[128];
    snprintf(msg, sizeof msg, "batch array '%s' has the wrong type", name);
    throw_code(env, "EARG", msg);
    return -1;
  }
  /* An empty typed array may report a NULL base; the capacity checks below reject those. */
  *out = ptr;
  *length = ptr != NULL ? len : 0;
  return 0;
}

static int get_int_arg(napi_env env, napi_value v, int32_t *out, const char *name) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "'%s' must be a number", name);
    throw_code(env, "EARG", msg);
    return -1;
  }
  return 0;
}

static int get_bool_arg(napi_env env, napi_value v, bool *out, const char *name) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "'%s' must be a boolean", name);
    throw_code(env, "EARG", msg);
    return -1;
  }
  return 0;
}

/* Maps a pcap_activate() failure to an error code the JS layer turns into FS_ERR_*. */
static void throw_activate(napi_env env, pcap_t *p, int rc, const char *iface) {
  char msg[PCAP_ERRBUF_SIZE + 256];
  const char *detail = pcap_geterr(p);
  const char *code = "EPCAP";
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: code = "ENODEV"; break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED: code = "EPERM"; break;
    case PCAP_ERROR_IFACE_NOT_UP: code = "EIFDOWN"; break;
    default: break;
  }
  /* pcap_geterr is only meaningful for PCAP_ERROR / the specific codes that set it; fall back to
   * pcap_statustostr so the user always sees libpcap's own words. */
  if (detail == NULL || detail[0] == '\0') detail = pcap_statustostr(rc);
  snprintf(msg, sizeof msg, "%s: %s", iface, detail);
  throw_code(env, code, msg);
}

static napi_value capture_open(napi_env env, napi_callback_info info) {
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != MAX_ARGS) {
    throw_code(env, "EARG", "open: wrong number of arguments");
    return NULL;
  }

  char iface[256], *filter = NULL;
  size_t n = 0;
  if (napi_get_value_string_utf8(env, argv[0], iface, sizeof iface, &n) != napi_ok || n == 0 ||
      n >= sizeof iface - 1) {
    throw_code(env, "EARG", "interface name must be a non-empty string shorter than 255 bytes");
    return NULL;
  }
  int32_t snaplen, buffer_bytes, timeout_ms;
  bool promisc, immediate;
  if (get_int_arg(env, argv[1], &snaplen, "snaplen") || get_bool_arg(env, argv[2], &promisc, "promisc") ||
      get_int_arg(env, argv[3], &buffer_bytes, "bufferBytes") ||
      get_bool_arg(env, argv[4], &immediate, "immediate") || get_int_arg(env, argv[5], &timeout_ms, "timeoutMs"))
    return NULL;
  if (snaplen < 64 || buffer_bytes < 0 || timeout_ms < 0) {
    throw_code(env, "EARG", "snaplen must be >= 64, bufferBytes and timeoutMs >= 0");
    return NULL;
  }
  napi_valuetype ft;
  NAPI_CALL(env, napi_typeof(env, argv[6], &ft));
  if (ft == napi_string) {
    size_t flen = 0;
    NAPI_CALL(env, napi_get_value_string_utf8(env, argv[6], NULL, 0, &flen));
    filter = malloc(flen + 1);
    if (filter == NULL) {
      throw_code(env, "EARG", "out of memory");
      return NULL;
    }
    if (napi_get_value_string_utf8(env, argv[6], filter, flen + 1, &flen) != napi_ok) {
      free(filter);
      throw_napi(env, "filter");
      return NULL;
    }
  } else if (ft != napi_null && ft != napi_undefined) {
    throw_code(env, "EARG", "filter must be a string or null");
    return NULL;
  }

  capture_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    free(filter);
    throw_code(env, "EARG", "out of memory");
    return NULL;
  }
  c->env = env;
  c->snaplen = (uint32_t)snaplen;

  /* The batch arrays: all parallel arrays share one capacity; data must hold at least one packet. */
  static const napi_typedarray_type types[7] = {napi_uint8_array,   napi_uint32_array, napi_uint32_array,
                                                napi_uint32_array,  napi_float64_array, napi_uint16_array,
                                                napi_uint16_array};
  static const char *names[7] = {"data", "offset", "capLen", "wireLen", "tsUs", "linkType", "ifIndex"};
  void *ptrs[7];
  size_t lens[7];
  pcap_t *p = NULL;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  char msg[PCAP_ERRBUF_SIZE + 1024];

  for (int i = 0; i < 7; i++) {
    if (typed_arg(env, argv[7 + i], types[i], &ptrs[i], &lens[i], names[i]) != 0) goto fail;
  }
  for (int i = 2; i < 7; i++) {
    if (lens[i] != lens[1]) {
      throw_code(env, "EARG", "batch arrays must all have the same capacity");
      goto fail;
    }
  }
  if (lens[1] == 0 || lens[0] < (size_t)snaplen) {
    throw_code(env, "EARG", "batch needs capacity >= 1 and a data buffer of at least snaplen bytes");
    goto fail;
  }
  c->data = ptrs[0];
  c->data_len = lens[0];
  c->offset = ptrs[1];
  c->caplen = ptrs[2];
  c->wirelen = ptrs[3];
  c->ts = ptrs[4];
  c->link = ptrs[5];
  c->ifidx = ptrs[6];
  c->capacity = (uint32_t)lens[1];
  for (int i = 0; i < 7; i++) {
    if (napi_create_reference(env, argv[7 + i], 1, &c->refs[i]) != napi_ok) {
      throw_napi(env, "napi_create_reference");
      goto fail;
    }
  }
  c->spill = malloc((size_t)snaplen);
  if (c->spill == NULL) {
    throw_code(env, "EARG", "out of memory");
    goto fail;
  }

  p = pcap_create(iface, errbuf);
  if (p == NULL) {
    snprintf(msg, sizeof msg, "%s: %s", iface, errbuf);
    throw_code(env, "EPCAP", msg);
    goto fail;
  }
  /* Each setter only fails on an already-activated handle, but check anyway: a silent default
   * (e.g. a 2 MB buffer instead of the requested one) would show up later as mysterious drops. */
  if (pcap_set_snaplen(p, snaplen) != 0 || pcap_set_promisc(p, promisc ? 1 : 0) != 0 ||
      pcap_set_timeout(p, timeout_ms) != 0 || (buffer_bytes > 0 && pcap_set_buffer_size(p, buffer_bytes) != 0) ||
      pcap_set_immediate_mode(p, immediate ? 1 : 0) != 0) {
    snprintf(msg, sizeof msg, "%s: cannot configure capture: %s", iface, pcap_geterr(p));
    throw_code(env, "EPCAP", msg);
    goto fail;
  }
  /* Nanosecond stamps when the platform has them (Linux does); otherwise stay with µs. */
  c->nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;

  int rc = pcap_activate(p);
  if (rc < 0) {
    throw_activate(env, p, rc, iface);
    goto fail;
  }
  char warning[PCAP_ERRBUF_SIZE + 64] = "";
  if (rc > 0) {
    const char *w = pcap_geterr(p);
    snprintf(warning, sizeof warning, "%s", (w && w[0]) ? w : pcap_statustostr(rc));
  }
  c->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  c->snaplen = (uint32_t)pcap_snapshot(p);
  if (c->snaplen == 0 || c->snaplen > (uint32_t)snaplen) c->snaplen = (uint32_t)snaplen;
  c->linktype = pcap_datalink(p);
  if (c->linktype < 0) {
    snprintf(msg, sizeof msg, "%s: pcap_datalink failed: %s", iface, pcap_geterr(p));
    throw_code(env, "EPCAP", msg);
    goto fail;
  }

  if (filter != NULL && filter[0] != '\0') {
    struct bpf_program prog;
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    /* The netmask only matters for "ip broadcast"; interfaces without IPv4 make this fail. */
    if (pcap_lookupnet(iface, &net, &mask, errbuf) != 0) mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(p, &prog, filter, 1, mask) != 0) {
      snprintf(msg, sizeof msg, "invalid BPF filter '%s': %s", filter, pcap_geterr(p));
      throw_code(env, "EFILTER", msg);
      goto fail;
    }
    int src = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (src != 0) {
      snprintf(msg, sizeof msg, "cannot install BPF filter '%s' on %s: %s", filter, iface, pcap_geterr(p));
      throw_code(env, "EFILTER", msg);
      goto fail;
    }
  }

  /* Non-blocking after activation: read() must return 0 instead of sleeping in poll() inside
   * libpcap when the ring is empty; waiting is libuv's job. */
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    snprintf(msg, sizeof msg, "%s: cannot set non-blocking mode: %s", iface, errbuf);
    throw_code(env, "EPCAP", msg);
    goto fail;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "%s: libpcap offers no selectable descriptor on this platform", iface);
    throw_code(env, "EPCAP", msg);
    goto fail;
  }
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    throw_napi(env, "napi_get_uv_event_loop");
    goto fail;
  }
  c->poll = calloc(1, sizeof *c->poll);
  if (c->poll == NULL) {
    throw_code(env, "EARG", "out of memory");
    goto fail;
  }
  int uvrc = uv_poll_init(loop, c->poll, fd);
  if (uvrc != 0) {
    free(c->poll);
    c->poll = NULL;
    snprintf(msg, sizeof msg, "%s: uv_poll_init failed: %s", iface, uv_strerror(uvrc));
    throw_code(env, "EPCAP", msg);
    goto fail;
  }
  c->poll->data = c;
  c->p = p;
  p = NULL;

  napi_value resname, ext, result;
  if (napi_create_string_utf8(env, "flowsentry:pcap", NAPI_AUTO_LENGTH, &resname) != napi_ok ||
      napi_async_init(env, NULL, resname, &c->actx) != napi_ok) {
    throw_napi(env, "napi_async_init");
    goto fail;
  }
  if (napi_create_external(env, c, capture_finalize, NULL, &ext) != napi_ok) {
    throw_napi(env, "napi_create_external");
    goto fail;
  }
  capture_t *cc = c;
  c = NULL; /* owned by the external from here on: its finalizer frees it */
  free(filter);
  filter = NULL;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_set_named_property(env, result, "handle", ext));
  if (set_num(env, result, "linkType", cc->linktype) ||
      set_str(env, result, "linkName", pcap_datalink_val_to_name(cc->linktype)) ||
      set_bool(env, result, "nanoTs", cc->nano) || set_num(env, result, "snaplen", cc->snaplen) ||
      set_str(env, result, "warning", warning[0] ? warning : NULL)) {
    throw_napi(env, "open result");
    return NULL;
  }
  return result;

fail:
  free(filter);
  if (p != NULL) pcap_close(p);
  if (c != NULL) capture_free(c);
  return NULL;
}

/* ---------- reading ---------- */

static inline double ts_us(const capture_t *c, const struct timeval *tv) {
  /* With nanosecond precision libpcap stores ns in tv_usec. Doubles hold epoch µs exactly and
   * keep ~0.25 µs of fraction, which is what PacketBatch.tsUs documents. */
  return (double)tv->tv_sec * 1e6 + (c->nano ? (double)tv->tv_usec / 1000.0 : (double)tv->tv_usec);
}

static inline void put_packet(capture_t *c, const uint8_t *bytes, uint32_t len, uint32_t wire, double ts) {
  uint32_t i = c->count++;
  memcpy(c->data + c->used, bytes, len);
  c->offset[i] = (uint32_t)c->used;
  c->caplen[i] = len;
  c->wirelen[i] = wire;
  c->ts[i] = ts;
  c->link[i] = (uint16_t)c->linktype;
  c->ifidx[i] = 0;
  c->used += len;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture_t *c = (capture_t *)user;
  uint32_t len = h->caplen;
  if (len > c->snaplen) len = c->snaplen; /* never trust a length to fit our buffers */
  double ts = ts_us(c, &h->ts);
  if (c->count >= c->capacity || c->used + len > c->data_len) {
    /* Batch full: park this packet (libpcap has already taken it off the ring) and stop the
     * dispatch; pcap_dispatch then returns PCAP_ERROR_BREAK and read() ends the batch. */
    memcpy(c->spill, bytes, len);
    c->spill_len = len;
    c->spill_wire = h->len;
    c->spill_ts = ts;
    c->has_spill = 1;
    pcap_breakloop(c->p);
    return;
  }
  put_packet(c, bytes, len, h->len, ts);
}

static napi_value capture_read(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  capture_t *c = get_capture(env, argc ? argv[0] : NULL);
  if (c == NULL) return NULL;
  c->count = 0;
  c->used = 0;
  if (c->p == NULL) {
    NAPI_CALL(env, napi_create_uint32(env, 0, &out));
    return out;
  }
  if (c->has_spill) {
    c->has_spill = 0;
    put_packet(c, c->spill, c->spill_len, c->spill_wire, c->spill_ts);
  }
  /* Loop because one pcap_dispatch() call stops at the end of a ring block (TPACKET_V3) even when
   * more blocks are ready; 0 means the ring is empty right now (non-blocking mode). */
  while (c->count < c->capacity && !c->has_spill) {
    int r = pcap_dispatch(c->p, (int)(c->capacity - c->count), on_packet, (u_char *)c);
    if (r == PCAP_ERROR_BREAK) break;
    if (r < 0) {
      char msg[PCAP_ERRBUF_SIZE + 64];
      snprintf(msg, sizeof msg, "reading packets failed: %s", pcap_geterr(c->p));
      /* Packets already copied in this call are lost to JS because we throw; that only happens
       * when the interface itself failed (went down / was removed). */
      throw_code(env, "EPCAP", msg);
      return NULL;
    }
    if (r == 0) break;
  }
  c->delivered += c->count;
  NAPI_CALL(env, napi_create_uint32(env, c->count, &out));
  return out;
}

/* ---------- readiness notification ---------- */

static void on_poll(uv_poll_t *h, int status, int events) {
  capture_t *c = (capture_t *)h->data;
  if (c == NULL) return;
  /* One-shot: JS re-arms only when a read() came back empty, so a busy consumer is never woken
   * for data it will pick up anyway. */
  uv_poll_stop(h);
  c->polling = 0;
  if (c->cb == NULL) return;
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, global, arg, ignored;
  napi_ref ref = c->cb;
  c->cb = NULL;
  if (napi_get_reference_value(env, ref, &cb) == napi_ok && cb != NULL && napi_get_global(env, &global) == napi_ok) {
    napi_status s;
    if (status < 0) {
      s = napi_create_string_utf8(env, uv_strerror(status), NAPI_AUTO_LENGTH, &arg);
    } else {
      s = napi_get_null(env, &arg);
    }
    /* napi_make_callback (not napi_call_function) so microtasks — the awaiting promise — run
     * right after the callback, as for any other libuv-driven callback. */
    if (s == napi_ok && napi_make_callback(env, c->actx, global, cb, 1, &arg, &ignored) == napi_pending_exception) {
      napi_value exc;
      if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
  }
  napi_delete_reference(env, ref);
  napi_close_handle_scope(env, scope);
}

static napi_value capture_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype t;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  capture_t *c = get_capture(env, argc ? argv[0] : NULL);
  if (c == NULL) return NULL;
  if (argc < 2 || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    throw_code(env, "EARG", "watch: callback must be a function");
    return NULL;
  }
  if (c->p == NULL || c->poll == NULL) {
    throw_code(env, "EPCAP", "watch: capture is closed");
    return NULL;
  }
  if (c->cb != NULL) {
    napi_delete_reference(env, c->cb);
    c->cb = NULL;
  }
  NAPI_CALL(env, napi_create_reference(env, argv[1], 1, &c->cb));
  int rc = uv_poll_start(c->poll, UV_READABLE, on_poll);
  if (rc != 0) {
    char msg[128];
    napi_delete_reference(env, c->cb);
    c->cb = NULL;
    snprintf(msg, sizeof msg, "uv_poll_start failed: %s", uv_strerror(rc));
    throw_code(env, "EPCAP", msg);
    return NULL;
  }
  c->polling = 1;
  return NULL;
}

static napi_value capture_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  capture_t *c = get_capture(env, argc ? argv[0] : NULL);
  if (c == NULL) return NULL;
  if (c->poll != NULL && c->polling) uv_poll_stop(c->poll);
  c->polling = 0;
  if (c->cb != NULL) {
    napi_delete_reference(env, c->cb);
    c->cb = NULL;
  }
  return NULL;
}

/* ---------- stats / close ---------- */

static napi_value capture_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  capture_t *c = get_capture(env, argc ? argv[0] : NULL);
  if (c == NULL) return NULL;
  struct pcap_stat st;
  memset(&st, 0, sizeof st);
  if (c->p != NULL) {
    if (pcap_stats(c->p, &st) != 0) {
      char msg[PCAP_ERRBUF_SIZE + 32];
      snprintf(msg, sizeof msg, "pcap_stats failed: %s", pcap_geterr(c->p));
      throw_code(env, "EPCAP", msg);
      return NULL;
    }
  } else if (c->have_final_stats) {
    st = c->final_stats;
  }
  NAPI_CALL(env, napi_create_object(env, &o));
  if (set_num(env, o, "recv", st.ps_recv) || set_num(env, o, "drop", st.ps_drop) ||
      set_num(env, o, "ifdrop", st.ps_ifdrop) || set_num(env, o, "delivered", (double)c->delivered)) {
    throw_napi(env, "stats");
    return NULL;
  }
  return o;
}

static napi_value capture_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  capture_t *c = get_capture(env, argc ? argv[0] : NULL);
  if (c == NULL) return NULL;
  /* Single-threaded: no pcap_dispatch can be running now, so closing directly is safe (no need
   * for pcap_breakloop from another thread). */
  capture_shutdown(c);
  return NULL;
}

/* ---------- module ---------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"libVersion", NULL, lib_version, NULL, NULL, NULL, napi_enumerable, NULL},
      {"findAllDevs", NULL, find_all_devs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, capture_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"read", NULL, capture_read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watch", NULL, capture_watch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwatch", NULL, capture_unwatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, capture_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, capture_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
