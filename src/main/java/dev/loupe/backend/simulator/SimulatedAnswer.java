package dev.loupe.backend.simulator;

import dev.loupe.hash.Sha256;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What the simulated model says about an image: a decision from the image's contrast (grey-level
 * standard deviation), wrapped the way small vision models wrap JSON. The same image and prompt
 * always give the same answer.
 */
final class SimulatedAnswer {

    /** Above this grey-level standard deviation the simulator "sees" structure and answers NG. */
    static final double CONTRAST_THRESHOLD = 35.0;
    /**
     * In wording-sensitive mode, images whose contrast lies this close to the threshold are the
     * borderline ones, whose decision a rewording can flip, as the field report saw with real models.
     */
    static final double BORDERLINE = 15.0;

    private static final int GRID = 256;

    /** How the answer is wrapped; chosen by a hash of image and prompt, in the shares real models show. */
    enum Style {
        BARE, FENCED, PROSE, SYNONYM
    }

    record Stats(double mean, double stdDev) {}

    private SimulatedAnswer() {}

    /**
     * @param wordingSensitive for borderline images, let the wording decide: a deterministic hash of the
     *                         prompt flips about a third of the wordings' decisions
     */
    static String answer(BufferedImage image, String imageData, String prompt, boolean constrained,
            boolean wordingSensitive) {
        Stats stats = stats(image);
        Style style = constrained ? Style.BARE : style(imageData, prompt);
        boolean defect = stats.stdDev() > CONTRAST_THRESHOLD;
        if (wordingSensitive && Math.abs(stats.stdDev() - CONTRAST_THRESHOLD) < BORDERLINE
                && Math.floorMod(ByteBuffer.wrap(Sha256.bytes("wording\n" + prompt + "\n" + imageData.length())).getInt(), 3) == 0) {
            defect = !defect;
        }
        String json = verdict(stats, defect, style == Style.SYNONYM);
        return switch (style) {
            case BARE, SYNONYM -> json;
            case FENCED -> "```json\n" + json + "\n```";
            case PROSE -> "根据图像分析，判断结果如下：\n" + json + "\n以上结论基于图像的纹理与对比度。";
        };
    }

    static Style style(String imageData, String prompt) {
        int h = Math.floorMod(ByteBuffer.wrap(Sha256.bytes(imageData + "\n" + prompt)).getInt(), 8);
        if (h < 4) {
            return Style.BARE;
        }
        return h < 6 ? Style.FENCED : h == 6 ? Style.PROSE : Style.SYNONYM;
    }

    private static String verdict(Stats stats, boolean defect, boolean synonym) {
        double margin = Math.abs(stats.stdDev() - CONTRAST_THRESHOLD) / (2 * CONTRAST_THRESHOLD);
        double confidence = Math.round((0.5 + Math.min(0.49, margin)) * 100) / 100.0;
        ObjectNode v = JsonNodeFactory.instance.objectNode();
        // Small models often answer the label in words (合格/不合格) instead of the enum the prompt asks for.
        v.put("decision", synonym ? (defect ? "不合格" : "合格") : (defect ? "NG" : "OK"));
        v.put("defect_present", defect);
        v.put("confidence", confidence);
        ObjectNode features = v.putObject("features");
        features.put("shape", defect ? "片状" : "无明显形状特征");
        features.put("position", defect ? "分布于视野中部" : "无");
        features.put("structure", defect ? "层状，边界清晰" : "均匀");
        features.put("material", stats.mean() < 100 ? "暗区为主" : "亮区为主");
        features.put("stacking", defect ? "多层错位" : "无堆叠");
        v.put("reason", String.format(Locale.ROOT, defect
                ? "灰度标准差 %.1f，纹理对比度高，可见明显的层间堆叠结构"
                : "灰度标准差 %.1f，纹理均匀，未见异常结构", stats.stdDev()));
        return v.toString();
    }

    /** Mean and standard deviation of luma on a grid of at most 256×256 samples. */
    static Stats stats(BufferedImage image) {
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int stepX = Math.max(1, image.getWidth() / GRID);
        int stepY = Math.max(1, image.getHeight() / GRID);
        double sum = 0;
        double sumSq = 0;
        long n = 0;
        int[] pixel = new int[bands];
        for (int y = 0; y < image.getHeight(); y += stepY) {
            for (int x = 0; x < image.getWidth(); x += stepX) {
                raster.getPixel(x, y, pixel);
                double luma = bands >= 3 ? 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2] : pixel[0];
                sum += luma;
                sumSq += luma * luma;
                n++;
            }
        }
        double mean = sum / n;
        return new Stats(mean, Math.sqrt(Math.max(0, sumSq / n - mean * mean)));
    }

}
