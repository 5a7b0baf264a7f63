package dev.loupe.inspect;

import dev.loupe.error.ProblemException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpData;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An inspection's multipart form, read from the request body in memory by Netty's multipart decoder
 * (the one Vert.x's own form handling uses), on the thread that received the body. Quarkus REST would
 * write every file part to a temporary file first and read it back: for a small upload that was most
 * of the work of a multipart inspection. The body is bounded before it is read
 * ({@code loupe.http.max-body-size}); a form of more than {@link #MAX_PARTS} parts, or one that does
 * not parse, is refused with 400.
 *
 * @param image  the {@code image} part's bytes, null when there is none
 * @param fields the text fields, by name (the first of each)
 */
record MultipartForm(byte[] image, Map<String, String> fields) {

    /** An inspection needs image and profile and a few optional fields; more parts than this are refused. */
    static final int MAX_PARTS = 64;
    /** The most Netty buffers while it looks for the end of a part's headers. */
    private static final int MAX_PART_HEAD = 16 << 10;

    /** Reads the form; 400 for a body that is not one. */
    static MultipartForm read(byte[] body, String contentType) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).contains("boundary=")) {
            throw malformed("the multipart body declares no boundary (Content-Type: multipart/form-data; boundary=...)");
        }
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpPostMultipartRequestDecoder decoder;
        try {
            // In memory: the body is in memory already, and bounded. Netty counts the parts and the bytes it
            // buffers for one part's headers, and refuses more.
            decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), request, StandardCharsets.UTF_8,
                    MAX_PARTS, MAX_PART_HEAD);
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw tooManyParts();
        } catch (DecoderException | IllegalArgumentException e) {
            throw malformed("the multipart body is malformed or ended before its closing boundary");
        }
        try {
            byte[] image = null;
            Map<String, String> fields = new HashMap<>();
            for (InterfaceHttpData part : decoder.getBodyHttpDatas()) {
                if (part.getName().indexOf('\u0000') >= 0) {
                    throw malformed("a part's name holds a NUL character");
                }
                if (part.getName().equals("image") && part instanceof HttpData data) {
                    // A file part, or (sent without a file name) a plain one: its bytes either way.
                    image = image == null ? ByteBufUtil.getBytes(data.content()) : image;
                } else if (part instanceof Attribute field) {
                    fields.putIfAbsent(field.getName(), field.getValue());
                }
            }
            return new MultipartForm(image, fields);
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw tooManyParts();
        } catch (DecoderException | IOException | IllegalArgumentException e) {
            throw malformed("the multipart body is malformed or ended before its closing boundary");
        } finally {
            decoder.destroy();
        }
    }

    /** An optional text field, stripped; null when absent or blank. */
    String field(String name) {
        String value = fields.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** An optional whole number; 400 naming the field when it is not one. */
    Integer number(String name) {
        String value = field(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("'" + name + "' must be a whole number");
        }
    }

    private static ProblemException malformed(String detail) {
        return new ProblemException(400, "bad-multipart", "Multipart body cannot be read", detail);
    }

    private static ProblemException tooManyParts() {
        return malformed("the multipart body has more than " + MAX_PARTS + " parts; an inspection needs 'image', "
                + "'profile' and a few optional fields");
    }
}
