package dev.loupe.image;

/** A model's pixel budget and how the resized image is encoded for it. */
public record ResizeSpec(int factor, long minPixels, long maxPixels, int jpegQuality) {}
