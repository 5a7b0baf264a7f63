-- No record is dropped for its size: an envelope holds the model's whole answer (Loupe accepts answers of
-- megabytes), so it is a text of any length (TEXT: a CLOB in H2, unbounded text in PostgreSQL); a model
-- name may be a long path. The image as it was sent to the model (what a person reviews and the next LoRA
-- trains on) is kept beside the upload, content-addressed the same way.
ALTER TABLE inspection_record ALTER COLUMN envelope SET DATA TYPE TEXT;
ALTER TABLE inspection_record ALTER COLUMN model SET DATA TYPE VARCHAR(1000);
ALTER TABLE inspection_record ADD COLUMN sent_sha256 VARCHAR(64);
ALTER TABLE inspection_record ADD COLUMN sent_format VARCHAR(10);

-- Idempotency keys belong to their caller (the API key's name; one scope when keys are off), and a claim
-- runs out with the inspection's deadline (plus a margin), so a retry after a crash is inspected again
-- instead of waiting on a claim nobody will finish. Keys live a day: those of the old table are dropped.
DROP TABLE idempotency_key;
CREATE TABLE idempotency_key (
    scope          VARCHAR(200) NOT NULL,
    idem_key       VARCHAR(200) NOT NULL,
    request_sha256 VARCHAR(64) NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    claimed_until  TIMESTAMP NOT NULL,
    envelope       TEXT,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);

-- One row a readiness probe writes when no record has been written for a while: a store that cannot take
-- a write (read-only volume, full disk, database down) is not ready, even while nothing is inspected.
CREATE TABLE store_probe (
    id        INT PRIMARY KEY,
    probed_at TIMESTAMP NOT NULL
);
INSERT INTO store_probe (id, probed_at) VALUES (1, CURRENT_TIMESTAMP);
