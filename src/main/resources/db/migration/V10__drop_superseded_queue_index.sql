-- The review queue is read by queue_reason (V8 and its index inspection_record_queue_reason) since policies
-- came; no query leads with (reviewed, status, audit_sample) any more, and every record paid for that index
-- before its answer: in H2, a third of a record's commit (0.36-0.38 ms of CPU per commit with it, 0.24-0.27 ms
-- without, 6,000 records committed one at a time, 2026-12-03).
DROP INDEX inspection_record_queue;
