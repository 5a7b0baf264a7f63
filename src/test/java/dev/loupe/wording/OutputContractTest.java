package dev.loupe.wording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.prompt.WordingFile;
import dev.loupe.testing.TestJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The contract a rephrasing must keep, on the shipped profile's prompt and schema. */
class OutputContractTest {

    private static final String BASE = WordingsTest.BASE;

    private static OutputContract contract() throws Exception {
        JsonNode schema = TestJson.MAPPER.readTree(Files.readString(Path.of("schemas/verdict-v1.schema.json")));
        return OutputContract.of(BASE, schema);
    }

    @Test
    void theFormatLineAndTheSchemasWordsAreProtected() throws Exception {
        OutputContract c = contract();
        assertEquals(1, c.formatLines().size());
        assertEquals(WordingsTest.L3, c.formatLines().get(0));
        assertEquals(true, c.tokens().containsAll(java.util.List.of("decision", "defect_present", "OK", "NG", "stacking")));
    }

    @Test
    void eachWayOfBreakingItIsNamed() throws Exception {
        OutputContract c = contract();
        assertEquals(Optional.empty(), c.check(BASE, WordingsTest.CAREFUL));
        assertEquals(Optional.of(OutputContract.Drop.FORMAT_CHANGED), c.check(BASE, WordingsTest.NO_FORMAT));
        assertEquals(Optional.of(OutputContract.Drop.FORMAT_CHANGED),
                c.check(BASE, WordingsTest.CAREFUL.replace("\"OK 或 NG\"", "\"OK 或 NG \"")), "one space inside the format");
        assertEquals(Optional.of(OutputContract.Drop.VALUE_CHANGED), c.check(BASE, WordingsTest.NEW_VALUE));
        assertEquals(Optional.of(OutputContract.Drop.VALUE_CHANGED),
                c.check(BASE, WordingsTest.CAREFUL + "\n若不确定，decision 也写 Ng。"), "a value re-cased");
        assertEquals(Optional.of(OutputContract.Drop.MALFORMED), c.check(BASE, "  "));
        assertEquals(Optional.of(OutputContract.Drop.MALFORMED), c.check(BASE, WordingsTest.CAREFUL.repeat(6)));
    }

    @Test
    void aProposalsHeaderRoundTripsAndAnEditShows() {
        WordingFile proposed = WordingFile.proposed("dashscope/qwen-plus", "2026-12-03T06:00:00Z", "文本\n第二行");
        WordingFile read = WordingFile.parse(proposed.render());
        assertEquals(proposed, read);
        assertEquals(false, read.edited());
        assertEquals(true, WordingFile.parse(proposed.render().replace("第二行", "第三行")).edited());
        WordingFile handWritten = WordingFile.parse("# 这不是页眉\n正文\n");
        assertEquals("# 这不是页眉\n正文", handWritten.text(), "a hand-written file is its text whole");
        assertEquals(false, handWritten.semantic());
    }
}
