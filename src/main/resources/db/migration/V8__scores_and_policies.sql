-- The probability of each inspection's decision (from the model's token probabilities, or the agreement of
-- a consensus), the decision it is for (kept when a policy held the verdict for review), why it waits in the
-- review queue, and the policy it was judged under.
ALTER TABLE inspection_record ADD COLUMN score DOUBLE PRECISION;
ALTER TABLE inspection_record ADD COLUMN score_source VARCHAR(20);
ALTER TABLE inspection_record ADD COLUMN scored_decision VARCHAR(40);
ALTER TABLE inspection_record ADD COLUMN queue_reason VARCHAR(20);
ALTER TABLE inspection_record ADD COLUMN policy_id VARCHAR(36);
CREATE INDEX inspection_record_scored ON inspection_record (profile, scored_decision);

-- Certified auto-acceptance policies: a score threshold whose escape rate among accepted pass verdicts is at most
-- alpha with confidence 1 - delta, computed from reviews. One active per profile; every one stays on record.
CREATE TABLE policy (
    id               VARCHAR(36) PRIMARY KEY,
    profile          VARCHAR(100) NOT NULL,
    alpha            DOUBLE PRECISION NOT NULL,
    delta            DOUBLE PRECISION NOT NULL,
    threshold        DOUBLE PRECISION,
    coverage         DOUBLE PRECISION NOT NULL,
    n                INT NOT NULL,
    escapes          INT NOT NULL,
    upper_bound      DOUBLE PRECISION,
    calibration_size INT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    created_by       VARCHAR(200),
    active           BOOLEAN NOT NULL,
    activated_at     TIMESTAMP,
    activated_by     VARCHAR(200),
    ended_at         TIMESTAMP,
    ended_why        VARCHAR(500)
);
CREATE INDEX policy_profile ON policy (profile, created_at);

-- Records made before: in the queue for the reasons they were then.
UPDATE inspection_record SET queue_reason = 'needs_review' WHERE status = 'needs_review';
UPDATE inspection_record SET queue_reason = 'audit' WHERE status = 'accepted' AND audit_sample = TRUE;
CREATE INDEX inspection_record_queue_reason ON inspection_record (reviewed, queue_reason);
