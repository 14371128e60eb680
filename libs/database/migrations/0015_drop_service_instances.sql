-- Each app registered itself here and refreshed its row every 10 s, but nothing read the table:
-- caravan status and the probes ask the apps themselves. An app of an earlier version still
-- running beside this schema logs a failed heartbeat (a warning, nothing else) until it is replaced.
DROP TABLE service_instances;
