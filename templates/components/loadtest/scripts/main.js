// certctl's scale scenarios (Phase 8), in the cluster. k6 prints its end-of-test summary to
// the Job's log and exits non-zero when a threshold fails.
import http from "k6/http";
import { sleep } from "k6";
import { agentId, apiHeaders, baseUrl, buildOptions, certificateId, config } from "./lib.js";

export { bulkRenewal } from "./bulk_renewal.js";
export { acmeBurst } from "./acme_burst.js";
export { agentStorm } from "./agent_storm.js";

export const options = buildOptions(config);

// Wait until the seed Job has loaded the last row each enabled scenario needs.
export function setup() {
  const { bulkRenewal, agentStorm } = config.scenarios;
  const needed = [];
  if (bulkRenewal.enabled) {
    needed.push("/api/v1/certificates/" + certificateId(config.certificates));
  }
  if (agentStorm.enabled) {
    needed.push("/api/v1/agents/" + agentId(config.agents));
  }
  for (const path of needed) {
    while (http.get(baseUrl + path, { headers: apiHeaders(), tags: { endpoint: "seed-wait" } }).status !== 200) {
      console.log("waiting for the seed: " + path);
      sleep(5);
    }
  }
}
