-- Idempotency-Key of POST /v1/inspections: a retried request gets the first answer, not a second
-- model call. A row without an envelope is a request still in progress (on any replica).
CREATE TABLE idempotency_key (
    idem_key       VARCHAR(200) PRIMARY KEY,
    request_sha256 VARCHAR(64) NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    envelope       VARCHAR(1000000)
);
