package dev.loupe.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.Problem;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The HTTP limits, answered with problem documents. The HTTP layer itself would answer an over-long
 * URL (414), over-large headers (431) or an over-large body (413) with an empty body, so its own
 * limits are set well above Loupe's ({@code quarkus.http.limits.*} in application.properties) and
 * Loupe's limits are checked here, first, before any route. A body of declared length is checked
 * here; a chunked one is read up to the HTTP layer's limit and then held to Loupe's upload limit by
 * what reads it (the upload's file size, the JSON string limit), which answer with problems too.
 */
@ApplicationScoped
public class HttpLimitsFilter {

    /** RFC 9110's media-type: token "/" token, then parameters (token "=" token or quoted string). */
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final Pattern MEDIA_TYPE = Pattern.compile("\\s*" + TOKEN + "/" + TOKEN
            + "(\\s*;\\s*(" + TOKEN + "=(" + TOKEN + "|\"([^\"\\\\]|\\\\.)*\"))?)*\\s*");

    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final int maxUrlLength;
    private final int maxHeaderBytes;
    private final long bodyTimeoutMillis;

    public HttpLimitsFilter(LoupeConfig config, ObjectMapper json) {
        this.maxBodyBytes = config.http().maxBodySize().asLongValue();
        this.maxUrlLength = config.http().maxUrlLength();
        this.maxHeaderBytes = (int) config.http().maxHeaderSize().asLongValue();
        this.bodyTimeoutMillis = Math.max(1, config.http().bodyTimeout().toMillis());
        this.json = json;
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check).failureHandler(this::failed);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() > maxUrlLength) {
            refuse(ctx, 414, "uri-too-long", "URI too long", String.format(Locale.ROOT,
                    "the request URI is %d characters long; the limit is %d (loupe.http.max-url-length)",
                    request.uri().length(), maxUrlLength));
            return;
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headerBytes > maxHeaderBytes) {
            refuse(ctx, 431, "headers-too-large", "Request header fields too large", String.format(Locale.ROOT,
                    "the request headers take %d bytes; the limit is %d (loupe.http.max-header-size)",
                    headerBytes, maxHeaderBytes));
            return;
        }
        String type = request.getHeader("Content-Type");
        if (type != null && !MEDIA_TYPE.matcher(type).matches()) {
            refuse(ctx, 400, "bad-content-type", "Bad Content-Type",
                    "the Content-Type header is no media type (type/subtype; name=value)");
            return;
        }
        String declared = request.getHeader("Content-Length");
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            refuse(ctx, 400, "bad-request", "Bad request", "the Content-Length header is not a number");
            return;
        }
        if (length > maxBodyBytes) {
            tooLarge(ctx, String.format(Locale.ROOT, "the request body is %.1f MiB", length / 1048576.0));
            return;
        }
        if (!request.isEnded()) {
            watchBody(ctx);
        }
        ctx.next();
    }

    /**
     * Vert.x has no minimum transfer rate and its idle timeout restarts with every byte: a deadline
     * for the whole body, on the request's own event loop, cancelled when the answer is sent. Bodies
     * are read on the event loop as they arrive (the upload endpoint is not blocking, and
     * quarkus.rest.input-buffer-size holds a whole JSON body), so a request merely queued for a
     * worker thread has its body already and is never cut off.
     */
    private void watchBody(RoutingContext ctx) {
        long timer = ctx.vertx().setTimer(bodyTimeoutMillis, id -> {
            if (!ctx.request().isEnded() && !ctx.response().headWritten()) {
                refuse(ctx, 408, "body-too-slow", "Request body too slow", String.format(Locale.ROOT,
                        "the request body did not arrive within %d s (loupe.http.body-timeout)", bodyTimeoutMillis / 1000));
            }
        });
        ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
    }

    /** A route failed with a status before any answer was written: answer it as a problem. */
    private void failed(RoutingContext ctx) {
        if (ctx.response().headWritten() || ctx.statusCode() < 400 || ctx.statusCode() >= 500) {
            ctx.next();
            return;
        }
        if (ctx.statusCode() == 413) {
            tooLarge(ctx, "the request body");
        } else {
            refuse(ctx, ctx.statusCode(), "http-" + ctx.statusCode(), "Bad request", "the request cannot be read");
        }
    }

    private void tooLarge(RoutingContext ctx, String what) {
        refuse(ctx, 413, "body-too-large", "Request body too large", String.format(Locale.ROOT,
                "%s is over the limit of %.1f MiB (loupe.http.max-body-size)", what, maxBodyBytes / 1048576.0));
    }

    private void refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        // The rest of an over-large or unread body is not worth reading: close after answering.
        Refusals.send(ctx, json, Problem.of(status, slug, title, detail, ctx.request().path()), null);
    }
}
