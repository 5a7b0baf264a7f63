package dev.loupe.prompt;

import java.util.Collection;

/** A request named a profile that is not loaded. */
public class UnknownProfileException extends RuntimeException {

    private final String profile;

    public UnknownProfileException(String profile, Collection<String> known) {
        super("no profile named '" + profile + "'; loaded profiles: " + String.join(", ", known));
        this.profile = profile;
    }

    public String profile() {
        return profile;
    }
}
