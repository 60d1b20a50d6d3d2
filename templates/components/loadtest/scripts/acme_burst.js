// certctl Phase 8 ACME burst: the unauthenticated ACME surface of one profile (directory,
// new-nonce, ARI renewal-info), as certctl's acme_burst.js and acme_flow.js. No JWS: k6
// cannot sign, so orders are out of scope (certctl's own trade-off).
import http from "k6/http";
import { check } from "k6";
import { Counter, Rate, Trend } from "k6/metrics";
import { baseUrl, config } from "./lib.js";

const directoryDuration = new Trend("acme_directory_duration", true);
const newNonceDuration = new Trend("acme_new_nonce_duration", true);
const renewalInfoDuration = new Trend("acme_renewal_info_duration", true);
const serverErrors = new Rate("acme_server_errors");
const rateLimitShapeOk = new Counter("acme_rate_limit_shape_ok");
const rateLimitShapeBad = new Counter("acme_rate_limit_shape_bad");

const PROBLEM_TYPE = "application/problem+json";
const RATE_LIMITED = "urn:ietf:params:acme:error:rateLimited";

// A 429 must carry RFC 7807 problem+json with the ACME rateLimited type (RFC 8555 6.7).
function countRateLimit(res) {
  if (res.status !== 429 || res.request.method === "HEAD") {
    return;
  }
  let type = "";
  try {
    type = res.json().type;
  } catch (e) {
    type = "";
  }
  const contentType = res.headers["Content-Type"] || "";
  if (contentType.startsWith(PROBLEM_TYPE) && type === RATE_LIMITED) {
    rateLimitShapeOk.add(1);
  } else {
    rateLimitShapeBad.add(1);
  }
}

function record(res, trend) {
  trend.add(res.timings.duration);
  serverErrors.add(res.status >= 500);
  countRateLimit(res);
  return res;
}

export function acmeBurst() {
  const profile = baseUrl + "/acme/profile/" + config.scenarios.acmeBurst.profileId;
  const directory = record(http.get(profile + "/directory", { tags: { endpoint: "acme-directory" } }), directoryDuration);
  check(directory, { "directory 200 or 429": (r) => r.status === 200 || r.status === 429 });

  const nonce = record(http.head(profile + "/new-nonce", { tags: { endpoint: "acme-new-nonce" } }), newNonceDuration);
  check(nonce, {
    "new-nonce has Replay-Nonce": (r) => r.status === 429 || (r.status === 200 && !!r.headers["Replay-Nonce"]),
  });

  // A synthetic certificate ID: the error path (400 malformed or 404 unknown), as certctl's
  // acme_flow.js; the happy path needs a certificate issued through JWS.
  const ari = record(
    http.get(profile + "/renewal-info/aaaa.bbbb", { tags: { endpoint: "acme-renewal-info" } }),
    renewalInfoDuration,
  );
  check(ari, { "renewal-info 4xx for a synthetic ID": (r) => r.status >= 400 && r.status < 500 });
}
