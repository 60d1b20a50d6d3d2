-- certctl scale fixtures (certctl Phase 8: deploy/test/loadtest/seed/), sized by the chart
-- (seed-size.sql sets the psql variables certificates and agents):
--   psql --set=ON_ERROR_STOP=1 --file=seed-size.sql --file=seed.sql
-- Every insert is ON CONFLICT DO NOTHING, so a second run changes nothing.
-- Tables and columns: certctl migrations 000001 (tables), 000002 (agents os, architecture,
-- ip_address, version), 000017 (renewal_policies.retry_interval_seconds).
\set ON_ERROR_STOP on
BEGIN;

-- The demo rows the fixtures link to (as in certctl's migrations/seed_demo.sql), for a
-- database that was installed without the demo data.
INSERT INTO teams (id, name, description)
VALUES ('t-platform', 'Platform Engineering', 'Core infrastructure and platform services')
ON CONFLICT DO NOTHING;
INSERT INTO owners (id, name, email, team_id)
VALUES ('o-alice', 'Alice Chen', 'alice@example.com', 't-platform')
ON CONFLICT DO NOTHING;
INSERT INTO renewal_policies (id, name, renewal_window_days, auto_renew, max_retries, retry_interval_seconds, alert_thresholds_days)
VALUES ('rp-standard', 'Standard 30-day', 30, true, 3, 60, '[30, 14, 7, 0]'::jsonb)
ON CONFLICT DO NOTHING;
INSERT INTO issuers (id, name, type, config, enabled)
VALUES ('iss-local', 'Local Dev CA', 'GenericCA', '{"ca_common_name": "CertCtl Demo CA", "validity_days": 90}', true)
ON CONFLICT DO NOTHING;

-- Bulk renewal: managed certificates expiring over the next 30 days (hour by hour).
INSERT INTO managed_certificates (
  id, name, common_name, sans, environment, owner_id, team_id, issuer_id, renewal_policy_id,
  status, expires_at, tags
)
SELECT
  'mc-loadtest-' || lpad(g::text, 7, '0'),
  'loadtest-bulk-' || lpad(g::text, 7, '0'),
  'loadtest-' || lpad(g::text, 7, '0') || '.fleet.example.test',
  ARRAY['loadtest-' || lpad(g::text, 7, '0') || '.fleet.example.test'],
  'loadtest',
  'o-alice', 't-platform', 'iss-local', 'rp-standard',
  'Active',
  NOW() + (g % 720 + 1) * INTERVAL '1 hour',
  '{"loadtest": "true"}'::jsonb
FROM generate_series(1, :certificates) AS g
ON CONFLICT DO NOTHING;

-- Agent storm: Online agents, last heartbeats spread over the last 60 s (twice the agents'
-- 30 s cadence) so the stale-agent reaper leaves them alone; OS 80/10/10 linux/windows/darwin.
INSERT INTO agents (
  id, name, hostname, status, last_heartbeat_at, registered_at, api_key_hash,
  os, architecture, ip_address, version
)
SELECT
  'ag-loadtest-' || lpad(g::text, 7, '0'),
  'loadtest-agent-' || lpad(g::text, 7, '0'),
  'loadtest-' || lpad(g::text, 7, '0') || '.fleet.example.test',
  'Online',
  NOW() - (g % 60) * INTERVAL '1 second',
  NOW() - (g % 90 + 1) * INTERVAL '1 day',
  'loadtest_no_auth',
  CASE g % 10 WHEN 0 THEN 'windows' WHEN 1 THEN 'darwin' ELSE 'linux' END,
  CASE WHEN g % 5 = 0 THEN 'arm64' ELSE 'amd64' END,
  '10.42.' || (g / 256 % 256)::text || '.' || (g % 256)::text,
  '2.0.71'
FROM generate_series(1, :agents) AS g
ON CONFLICT DO NOTHING;

COMMIT;

SELECT
  (SELECT count(*) FROM managed_certificates WHERE id LIKE 'mc-loadtest-%') AS loadtest_certificates,
  (SELECT count(*) FROM agents WHERE id LIKE 'ag-loadtest-%') AS loadtest_agents;
