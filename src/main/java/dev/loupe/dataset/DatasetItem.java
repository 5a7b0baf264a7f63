package dev.loupe.dataset;

import java.nio.file.Path;

/**
 * One labelled image of a dataset.
 *
 * @param index the item's number in the run, from 0, in file order
 * @param line  the line of the JSONL file it came from, for messages
 * @param label the expected decision (OK or NG, as the schema spells it)
 * @param asSent the image is exactly as the model was sent it (a Loupe training export): asked about as it is
 */
public record DatasetItem(int index, int line, Path image, String label, boolean asSent) {}
