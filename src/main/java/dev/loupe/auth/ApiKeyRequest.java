package dev.loupe.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A key as presented in {@code Authorization: Bearer} or {@code X-API-Key}. */
final class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;

    ApiKeyRequest(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }
}
