package dev.loupe.store;

import dev.loupe.config.LoupeConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's store ({@code loupe.store.*}), opened on first use and migrated then, so a
 * command or a service that never touches it never opens it (nor locks its file).
 */
@ApplicationScoped
public class Store {

    private final LoupeConfig.Store config;
    private volatile Database database;

    public Store(LoupeConfig config) {
        this.config = config.store();
    }

    public Database database() {
        Database d = database;
        if (d == null) {
            synchronized (this) {
                d = database;
                if (d == null) {
                    d = Database.open(config.jdbcUrl(), config.username(), config.password(), config.maxConnections());
                    database = d;
                }
            }
        }
        return d;
    }

    /**
     * Runs the work in one transaction; a store that cannot be reached or refuses is a
     * {@link StoreUnavailableException} (503 store-unavailable) naming {@code what}.
     */
    public <T> T inTransaction(String what, Database.Work<T> work) {
        try {
            return database().inTransaction(work);
        } catch (java.sql.SQLException e) {
            throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        if (database != null) {
            database.close();
        }
    }
}
