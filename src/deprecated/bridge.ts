// tls13-engine/bridge, removed: the WebSocket ↔ TCP bridge is a tool now (tools/bridge/), run as
// `tls13 bridge`. Importing this subpath fails with the message below.

throw new Error(
  "tls13-engine/bridge was removed: the WebSocket ↔ TCP bridge is no longer part of the library. Run it as a command, `npx tls13 bridge --help` (see the README, section CLI).",
);

export {};
