-- Rejections a replay resolved as accepted or duplicate, read at every /metrics scrape (so that
-- caravan_rejections_total never goes down): few by nature, kept cheap by a partial index.
CREATE INDEX rejections_replayed_idx ON rejections (consumer_group, source_topic, code) WHERE resolution IN ('accepted', 'duplicate');
