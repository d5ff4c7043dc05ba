{
  # Built by scripts/build-native.ts (run from the root `prepare` script), never by an npm install
  # hook: npm 11 may skip dependency install scripts, and a missing libpcap-dev must only warn.
  "targets": [
    {
      "target_name": "flowsentry_pcap",
      "sources": ["src/flowsentry_pcap.c"],
      # Pin the Node-API level so the addon loads on every Node >= 20 without a rebuild.
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpcap"]
    }
  ]
}
