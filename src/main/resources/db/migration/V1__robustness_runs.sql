-- Robustness runs and their calls: every call stored as it completes, so a run resumes where it stopped.
CREATE TABLE IF NOT EXISTS robustness_run (
    id          VARCHAR(36) PRIMARY KEY,
    profile     VARCHAR(100) NOT NULL,
    dataset     VARCHAR(1000) NOT NULL,
    spec        VARCHAR(10000) NOT NULL,
    status      VARCHAR(20) NOT NULL,
    total       BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    error       VARCHAR(2000)
);

CREATE TABLE IF NOT EXISTS robustness_call (
    run_id       VARCHAR(36) NOT NULL,
    item         INT NOT NULL,
    variant      VARCHAR(100) NOT NULL,
    rep          INT NOT NULL,
    image_sha256 VARCHAR(64),
    label        VARCHAR(20),
    decision     VARCHAR(20),
    status       VARCHAR(20),
    outcome      VARCHAR(40),
    repairs      VARCHAR(1000),
    latency_ms   DOUBLE PRECISION,
    PRIMARY KEY (run_id, item, variant, rep)
);
