{
  # Built by scripts/build-native.ts (run from the root `prepare` script). Needs only a C compiler and
  # Node's headers, unlike the libpcap addon beside it, so file analysis gets huge pages even where
  # libpcap-dev is missing.
  "targets": [
    {
      "target_name": "flowsentry_mem",
      "sources": ["src/flowsentry_mem.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
