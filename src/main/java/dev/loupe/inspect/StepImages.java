package dev.loupe.inspect;

import dev.loupe.image.ImageRejectedException;
import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One uploaded image, prepared for each chain step's budget when that step is first asked: once per
 * distinct budget, reused by every wording and re-ask (a vLLM step at 1280 visual tokens and a
 * DashScope step at its high-resolution budget get two images; two steps with one budget share
 * one). Each is encoded as a data URL once, so every request about it carries the same bytes.
 */
public final class StepImages {

    /**
     * An image as one budget prepared it, with its data URL.
     *
     * @param note what was done beyond the budget's own spec to fit the backend's limit (null: nothing)
     */
    public record Prepared(PreparedImage image, String dataUrl, String note) {}

    /** JPEG qualities tried, in this order, when a data URL is over a backend's limit. */
    private static final int[] LOWER_QUALITIES = {90, 85, 80, 75, 70, 60, 50, 40};

    private final byte[] original;
    private final boolean asSent;
    private final ImageService images;
    private final Map<ImageSpec, Prepared> prepared = new ConcurrentHashMap<>(2);
    private final PreparedImage first;

    /**
     * Prepares the first step's image at once, so an image that cannot be sent is refused before any call.
     *
     * @param asSent the image is already as a model was sent it (a training export's): not scaled or cropped again
     */
    StepImages(byte[] original, boolean asSent, ImageService images, ImageSpec firstSpec) {
        this.original = original;
        this.asSent = asSent;
        this.images = images;
        this.first = forSpec(firstSpec).image();
    }

    /** The image as the first step's budget prepared it: what the hash and the image metrics describe. */
    public PreparedImage first() {
        return first;
    }

    /** The image for a budget, if it is prepared already and its data URL within {@code maxDataUrl} characters. */
    Optional<Prepared> ready(ImageSpec spec, int maxDataUrl) {
        return Optional.ofNullable(prepared.get(spec)).filter(p -> p.dataUrl().length() <= maxDataUrl);
    }

    /**
     * The image for a budget, with a data URL of at most {@code maxDataUrl} characters: when the budget's
     * own encoding is longer (a noisy frame at JPEG quality 95 for DashScope's 10 MB), it is encoded as
     * JPEG at lower qualities, step by step, until it fits; the prepared image says what was done.
     *
     * @throws ImageRejectedException (413) when not even the lowest quality fits
     */
    Prepared forSpec(ImageSpec spec, int maxDataUrl) {
        Prepared asSpecified = forSpec(spec);
        if (asSpecified.dataUrl().length() <= maxDataUrl) {
            return asSpecified;
        }
        for (int quality : LOWER_QUALITIES) {
            if (spec.encoding() == ImageSpec.Encoding.JPEG && quality >= spec.jpegQuality()) {
                continue;
            }
            Prepared lower = forSpec(spec.asJpeg(quality));
            if (lower.dataUrl().length() <= maxDataUrl) {
                return new Prepared(lower.image(), lower.dataUrl(), String.format(Locale.ROOT,
                        "re-encoded as JPEG at quality %d: at %s its data URL was %,d characters, over the backend's %,d",
                        quality, spec.encoding() == ImageSpec.Encoding.JPEG ? "quality " + spec.jpegQuality() : "PNG",
                        asSpecified.dataUrl().length(), maxDataUrl));
            }
        }
        throw new ImageRejectedException(ImageRejectedException.Reason.TOO_LARGE, String.format(Locale.ROOT,
                "the image cannot be sent under the backend's limit of %,d data-URL characters, even as JPEG at quality %d",
                maxDataUrl, LOWER_QUALITIES[LOWER_QUALITIES.length - 1]));
    }

    private Prepared forSpec(ImageSpec spec) {
        return prepared.computeIfAbsent(spec, s -> {
            PreparedImage image = asSent ? images.prepareAsSent(original, s) : images.prepare(original, s);
            return new Prepared(image, "data:" + image.mimeType() + ";base64," + Base64.getEncoder().encodeToString(image.data()),
                    null);
        });
    }

    /** A profile step's image policy as the image service takes it. */
    static ImageSpec specOf(Profile.ImagePolicy policy) {
        Optional<ImageSpec.CropBox> crop = Optional.ofNullable(policy.crop())
                .map(c -> new ImageSpec.CropBox(c.x(), c.y(), c.width(), c.height()));
        return new ImageSpec(policy.scale(), crop, policy.factor(), policy.minPixels(), policy.maxPixels(),
                ImageSpec.Encoding.valueOf(policy.encoding().toUpperCase(Locale.ROOT)), policy.jpegQuality());
    }
}
