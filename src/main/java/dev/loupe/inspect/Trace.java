package dev.loupe.inspect;

/** Where an image came from on the line; echoed in the envelope and the log, never used as a metric label. */
public record Trace(String line, String station, String lot, String serial) {}
