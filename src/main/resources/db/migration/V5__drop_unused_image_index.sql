-- No query looks records up by image (retention reads image_kept_until), and every insert paid for
-- this index: one more B-tree written per inspection, on the embedded store inside Loupe's process.
DROP INDEX inspection_record_image;
