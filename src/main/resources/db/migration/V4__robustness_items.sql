-- The items of a run, claimed by whichever replica is free: a replica claims a few items at a time for
-- a lease, renews it while it works, and marks an item done when all its calls are stored. A replica
-- that dies leaves its items to be claimed again when their lease runs out; stored calls are never
-- asked again.
CREATE TABLE robustness_item (
    run_id      VARCHAR(36) NOT NULL,
    item        INT NOT NULL,
    owner       VARCHAR(200),
    lease_until TIMESTAMP,
    done        BOOLEAN NOT NULL,
    PRIMARY KEY (run_id, item)
);
