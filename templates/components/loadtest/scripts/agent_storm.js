// certctl Phase 8 agent storm: POST /api/v1/agents/{id}/heartbeat for random seeded agents,
// with the metadata body certctl's agents send (version, hostname, os, architecture, ip_address).
import http from "k6/http";
import { check } from "k6";
import { agentId, apiHeaders, baseUrl, config, randomRow } from "./lib.js";

// The seed's distribution, so heartbeats do not rewrite the metadata.
function metadata(n) {
  return {
    version: "2.0.71",
    hostname: "loadtest-" + String(n).padStart(7, "0") + ".fleet.example.test",
    os: n % 10 === 0 ? "windows" : n % 10 === 1 ? "darwin" : "linux",
    architecture: n % 5 === 0 ? "arm64" : "amd64",
    ip_address: "10.42." + (Math.floor(n / 256) % 256) + "." + (n % 256),
  };
}

export function agentStorm() {
  const n = randomRow(config.agents);
  const res = http.post(baseUrl + "/api/v1/agents/" + agentId(n) + "/heartbeat", JSON.stringify(metadata(n)), {
    headers: apiHeaders(),
    tags: { endpoint: "agent-heartbeat" },
  });
  check(res, { "heartbeat 200": (r) => r.status === 200 });
}
