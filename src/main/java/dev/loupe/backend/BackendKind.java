package dev.loupe.backend;

import java.util.Locale;

/** What speaks at a backend's URL. */
public enum BackendKind {
    /** vLLM, SGLang, Ollama or any OpenAI-compatible server. */
    OPENAI,
    /** Alibaba Cloud DashScope (Model Studio) in OpenAI-compatible mode. */
    DASHSCOPE;

    static BackendKind parse(String name, String backend) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("loupe.backends." + backend + ".kind must be openai or dashscope, not '"
                    + name + "'");
        }
    }
}
