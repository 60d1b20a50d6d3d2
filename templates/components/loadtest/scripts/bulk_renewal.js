// certctl Phase 8 bulk renewal: POST /api/v1/certificates/bulk-renew naming a batch of the
// seeded certificates (certctl's handler: bulkRenewRequest.certificate_ids).
import http from "k6/http";
import { check } from "k6";
import { apiHeaders, baseUrl, certificateId, config, randomRow } from "./lib.js";

export function bulkRenewal() {
  const { batchSize } = config.scenarios.bulkRenewal;
  const count = config.certificates;
  const first = randomRow(count);
  const ids = [];
  for (let i = 0; i < Math.min(batchSize, count); i++) {
    ids.push(certificateId(((first - 1 + i) % count) + 1));
  }
  const res = http.post(baseUrl + "/api/v1/certificates/bulk-renew", JSON.stringify({ certificate_ids: ids }), {
    headers: apiHeaders(),
    tags: { endpoint: "bulk-renew" },
  });
  check(res, { "bulk-renew 200": (r) => r.status === 200 });
}
