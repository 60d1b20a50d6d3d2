// Shared by the scenarios: the chart's settings, certctl's URLs and IDs, and the k6 options.
// config.json is rendered by Helm from the loadtest values.
export const config = JSON.parse(open("./config.json"));

// The server's Service (so requests spread over every replica); TLS is verified against the
// chart's CA through SSL_CERT_FILE, never skipped.
export const baseUrl = __ENV.LOADTEST_URL;

// CERTCTL_AUTH_SECRET-style value: one key, or the server's comma-separated list.
const apiKey = (__ENV.LOADTEST_API_KEYS || "").split(",")[0].trim();

export function apiHeaders() {
  const headers = { "Content-Type": "application/json" };
  if (apiKey) {
    headers.Authorization = "Bearer " + apiKey;
  }
  return headers;
}

// The seed's IDs: 'mc-loadtest-' || lpad(n, 7, '0') and 'ag-loadtest-' || lpad(n, 7, '0').
export function certificateId(n) {
  return "mc-loadtest-" + String(n).padStart(7, "0");
}

export function agentId(n) {
  return "ag-loadtest-" + String(n).padStart(7, "0");
}

// A uniformly random seeded row number, 1..count.
export function randomRow(count) {
  return 1 + Math.floor(Math.random() * count);
}

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 };
const GRACEFUL_STOP_SECONDS = 30;

// Seconds of a k6 duration such as "1m30s".
export function seconds(duration) {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_SECONDS[unit];
  }
  return total;
}

// k6 options: the enabled scenarios one after the other (each starts when the previous one
// and its graceful stop are over), with their thresholds.
export function buildOptions(cfg) {
  const { bulkRenewal, acmeBurst, agentStorm } = cfg.scenarios;
  const scenarios = {};
  const thresholds = {};
  let start = 0;
  const add = (name, scenario) => {
    scenarios[name] = { ...scenario, startTime: start + "s", gracefulStop: GRACEFUL_STOP_SECONDS + "s" };
    start += seconds(scenario.duration) + GRACEFUL_STOP_SECONDS;
  };
  if (bulkRenewal.enabled) {
    add("bulk_renewal", arrivalRate("bulkRenewal", bulkRenewal));
    latencyAndErrors(thresholds, "bulk_renewal", bulkRenewal.thresholds);
  }
  if (acmeBurst.enabled) {
    add("acme_burst", { executor: "constant-vus", exec: "acmeBurst", vus: acmeBurst.vus, duration: acmeBurst.duration });
    const t = acmeBurst.thresholds;
    thresholds.acme_directory_duration = ["p(95)<" + t.directoryP95Ms];
    thresholds.acme_new_nonce_duration = ["p(95)<" + t.nonceP95Ms];
    thresholds.acme_renewal_info_duration = ["p(95)<" + t.renewalInfoP95Ms];
    thresholds.acme_server_errors = ["rate<" + t.serverErrorRate];
    // A 429 without the RFC 7807 rateLimited problem document breaks ACME clients.
    thresholds.acme_rate_limit_shape_bad = ["count<1"];
    // certctl answers a path it does not route with the web UI's index.html and 200: only the
    // checks (a JSON directory, a Replay-Nonce) tell a real ACME answer, so they must hold.
    thresholds["checks{scenario:acme_burst}"] = ["rate>0.99"];
  }
  if (agentStorm.enabled) {
    add("agent_storm", arrivalRate("agentStorm", agentStorm));
    latencyAndErrors(thresholds, "agent_storm", agentStorm.thresholds);
  }
  // setup() waits for the seed Job; allow it the time the Job controller's back-off takes.
  return { scenarios, thresholds, setupTimeout: "15m", summaryTrendStats: ["avg", "med", "p(95)", "p(99)", "max"] };
}

function arrivalRate(exec, scenario) {
  return {
    executor: "constant-arrival-rate",
    exec,
    rate: scenario.rate,
    timeUnit: "1s",
    duration: scenario.duration,
    // Enough VUs for every request of a second to take two seconds.
    preAllocatedVUs: Math.max(10, scenario.rate * 2),
    maxVUs: Math.max(50, scenario.rate * 10),
  };
}

function latencyAndErrors(thresholds, name, t) {
  thresholds["http_req_duration{scenario:" + name + "}"] = ["p(99)<" + t.p99Ms, "p(95)<" + t.p95Ms];
  thresholds["http_req_failed{scenario:" + name + "}"] = ["rate<" + t.errorRate];
}
