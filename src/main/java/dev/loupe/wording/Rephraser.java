package dev.loupe.wording;

import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;
import java.util.List;

/**
 * What LangChain4j's AI service implements: one request for rephrasings, answered as structured output. The
 * return type becomes the {@code response_format} json_schema sent to the text model, and LangChain4j parses the
 * answer into it.
 */
public interface Rephraser {

    /** The model's answer: the rephrasings, each a whole prompt. */
    record Rephrasings(List<String> wordings) {}

    @SystemMessage("""
            You rewrite the instructions that a quality-inspection team gives a vision model. Write as different
            people on the team would: other words, another order of the aspects, a sentence added or merged, a
            politer or blunter tone. Keep the meaning and keep the language of the original.""")
    @UserMessage("""
            Write {{count}} different rephrasings of the instruction between <<< and >>>.
            Each must ask the same question and keep the same output instructions. Copy these lines into every
            rephrasing unchanged, character for character (they define the answer's format):
            {{kept}}
            Do not change, translate or re-case any field name or value of that format ({{tokens}}).

            <<<
            {{prompt}}
            >>>""")
    Rephrasings rephrase(@V("prompt") String prompt, @V("count") int count, @V("kept") String keptLines,
            @V("tokens") String tokens);
}
