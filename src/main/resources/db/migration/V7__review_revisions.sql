-- A review can be amended: every review of an inspection is kept, numbered from 1, and the newest stands.
-- Nothing is overwritten: who reviewed what, and when, stays on record for every revision.
CREATE TABLE review (
    inspection_id VARCHAR(36) NOT NULL,
    revision      INT NOT NULL,
    reviewed_at   TIMESTAMP NOT NULL,
    reviewer      VARCHAR(200) NOT NULL,
    decision      VARCHAR(40) NOT NULL,
    verdict       TEXT NOT NULL,
    note          VARCHAR(2000),
    agreement     VARCHAR(20) NOT NULL,
    PRIMARY KEY (inspection_id, revision)
);
INSERT INTO review (inspection_id, revision, reviewed_at, reviewer, decision, verdict, note, agreement)
    SELECT inspection_id, 1, reviewed_at, reviewer, decision, verdict, note, agreement FROM inspection_review;
DROP TABLE inspection_review;
-- The export chooses reviews by when they were made.
CREATE INDEX review_reviewed_at ON review (reviewed_at);
