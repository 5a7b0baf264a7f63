package dev.loupe.auth;

import java.util.Set;

/** The roles a key can hold, as {@code @RolesAllowed} names them. */
public final class Roles {

    /** Post inspections, read profiles. */
    public static final String INSPECT = "inspect";
    /** Read inspection records and their images, review. */
    public static final String REVIEW = "review";
    /** Robustness runs, training exports, backends. */
    public static final String ADMIN = "admin";

    public static final Set<String> ALL = Set.of(INSPECT, REVIEW, ADMIN);

    private Roles() {
    }
}
