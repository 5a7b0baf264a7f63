package dev.loupe.backend;

import java.util.Locale;

/** What speaks at a backend's URL. */
public enum BackendKind {
    /** vLLM, SGLang, Ollama or any OpenAI-compatible server: no limit of its own on an image's data URL. */
    OPENAI(Integer.MAX_VALUE),
    /**
     * Alibaba Cloud DashScope (Model Studio) in OpenAI-compatible mode, which refuses a base64 image over
     * 10 MB: a data URL is kept under 10,000,000 characters.
     */
    DASHSCOPE(9_999_999);

    private final int maxDataUrlChars;

    BackendKind(int maxDataUrlChars) {
        this.maxDataUrlChars = maxDataUrlChars;
    }

    /** The longest image data URL this kind of server takes. */
    public int maxDataUrlChars() {
        return maxDataUrlChars;
    }

    public static BackendKind parse(String name, String backend) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("loupe.backends." + backend + ".kind must be openai or dashscope, not '"
                    + name + "'");
        }
    }
}
