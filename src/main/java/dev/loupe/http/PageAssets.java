package dev.loupe.http;

import dev.loupe.hash.Sha256;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The page ({@code /}, {@code index.html}, {@code loupe.js}, {@code loupe.css}) served with
 * {@code Cache-Control: no-cache} and an ETag of its content: a browser asks each time and gets 304
 * while nothing changed, and the new page at once after an upgrade. Quarkus's static handler would
 * mark them {@code public, immutable} for a day (and with its caching off, send no validator at all),
 * so these three files are served here; the page's CSP and other headers come from
 * {@code quarkus.http.filter.page} as before.
 */
@ApplicationScoped
public class PageAssets {

    private record Asset(Buffer content, String type, String etag) {}

    private final Map<String, Asset> assets = Map.of(
            "/", load("index.html", "text/html;charset=UTF-8"),
            "/index.html", load("index.html", "text/html;charset=UTF-8"),
            "/loupe.js", load("loupe.js", "text/javascript;charset=UTF-8"),
            "/loupe.css", load("loupe.css", "text/css;charset=UTF-8"));

    void register(@Observes Router router) {
        assets.keySet().forEach(path -> router.get(path).handler(this::serve));
    }

    private void serve(RoutingContext ctx) {
        Asset asset = assets.get(ctx.request().path());
        var response = ctx.response().putHeader("Cache-Control", "no-cache").putHeader("ETag", asset.etag());
        String seen = ctx.request().getHeader("If-None-Match");
        if (seen != null && (seen.contains(asset.etag()) || seen.strip().equals("*"))) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader("Content-Type", asset.type()).end(asset.content());
    }

    private static Asset load(String name, String type) {
        try (InputStream in = PageAssets.class.getResourceAsStream("/META-INF/resources/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the page's " + name + " is not in the application");
            }
            byte[] bytes = in.readAllBytes();
            return new Asset(Buffer.buffer(bytes), type, "\"" + Sha256.hex(bytes).substring(0, 32) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
