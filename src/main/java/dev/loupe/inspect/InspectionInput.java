package dev.loupe.inspect;

/**
 * One inspection as the HTTP layer hands it over: the original bytes, untouched.
 *
 * @param variant   the wording to ask, by name; null for the profile's choice
 * @param consensus how many wordings to ask and vote over; null for the profile's default
 */
public record InspectionInput(byte[] image, String profile, String variant, Integer consensus, Trace trace) {}
