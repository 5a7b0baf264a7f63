package dev.loupe.record;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The kept uploads, by SHA-256, for those who turn records into something else (the training export). */
@ApplicationScoped
public class RecordedImages {

    private final InspectionRecorder recorder;

    public RecordedImages(InspectionRecorder recorder) {
        this.recorder = recorder;
    }

    /** The image's bytes, or null once it is past its retention. */
    public byte[] read(String sha256) {
        try {
            return recorder.images().read(sha256).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
