-- Every inspection for the line: what was asked, what was answered, the image for its retention
-- period, and a person's review beside the model's verdict (never over it).
CREATE TABLE inspection_record (
    id               VARCHAR(36) PRIMARY KEY,
    created_at       TIMESTAMP NOT NULL,
    profile          VARCHAR(100) NOT NULL,
    status           VARCHAR(20) NOT NULL,
    decision         VARCHAR(40),
    backend          VARCHAR(100),
    model            VARCHAR(200),
    variant          VARCHAR(100),
    line_name        VARCHAR(256),
    station          VARCHAR(256),
    lot              VARCHAR(256),
    serial           VARCHAR(256),
    image_sha256     VARCHAR(64) NOT NULL,
    image_format     VARCHAR(10),
    image_kept_until TIMESTAMP,
    system_sha256    VARCHAR(64),
    prompt_sha256    VARCHAR(64),
    variant_sha256   VARCHAR(64),
    schema_name      VARCHAR(100),
    schema_sha256    VARCHAR(64),
    envelope         VARCHAR(1000000),
    failure          VARCHAR(4000),
    audit_sample     BOOLEAN NOT NULL,
    reviewed         BOOLEAN NOT NULL
);
CREATE INDEX inspection_record_created ON inspection_record (created_at, id);
CREATE INDEX inspection_record_serial ON inspection_record (serial);
CREATE INDEX inspection_record_lot ON inspection_record (lot);
CREATE INDEX inspection_record_image ON inspection_record (image_sha256);
CREATE INDEX inspection_record_queue ON inspection_record (reviewed, status, audit_sample);

CREATE TABLE inspection_review (
    inspection_id VARCHAR(36) PRIMARY KEY,
    reviewed_at   TIMESTAMP NOT NULL,
    reviewer      VARCHAR(200) NOT NULL,
    decision      VARCHAR(40) NOT NULL,
    verdict       VARCHAR(100000) NOT NULL,
    note          VARCHAR(2000),
    agreement     VARCHAR(20) NOT NULL
);
