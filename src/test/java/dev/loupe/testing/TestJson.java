package dev.loupe.testing;

import com.fasterxml.jackson.databind.ObjectMapper;

/** For tests that call the loaders without the application: a plain mapper, as they only read trees. */
public final class TestJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private TestJson() {}
}
