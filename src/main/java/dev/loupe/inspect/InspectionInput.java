package dev.loupe.inspect;

/** One inspection as the HTTP layer hands it over: the original bytes, untouched. */
public record InspectionInput(byte[] image, String profile, Trace trace) {}
