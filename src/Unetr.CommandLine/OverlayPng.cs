using System;
using System.Collections.Generic;
using System.Linq;
using SkiaSharp;
using TorchSharp;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>A PNG of one slice: the image in grey with the labels drawn over it in colour, half transparent.</summary>
public static class OverlayPng
{
    /// <summary>Slices whose shorter side is smaller are enlarged by a whole factor (nearest neighbour), so a 32² slice is not a speck.</summary>
    public const int MinimumShortSide = 256;

    /// <summary>How much a label's colour covers the grey image.</summary>
    public const double LabelOpacity = 0.45;

    // Distinct hues for classes 1, 2, …; class 0 (background) is not coloured. Later classes reuse them in turn.
    private static readonly SKColor[] Palette =
    {
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(0, 128, 128),
    };

    /// <summary>The whole factor a slice of <paramref name="width"/> × <paramref name="height"/> is enlarged by.</summary>
    public static int ScaleFor(int width, int height) => Math.Max(1, (int)Math.Ceiling((double)MinimumShortSide / Math.Min(width, height)));

    /// <summary>
    /// Writes <paramref name="path"/> atomically. Grey levels span the slice's 1st to 99th percentile, so a few extreme
    /// voxels do not wash it out.
    /// </summary>
    /// <param name="image">Slice intensities [rows, columns]; row 0 becomes the top of the picture.</param>
    /// <param name="labels">Class indices [rows, columns].</param>
    /// <param name="path">Destination .png; its directory must exist.</param>
    /// <returns>The picture's width and height in pixels.</returns>
    public static (int Width, int Height) Write(Tensor image, Tensor labels, string path)
    {
        if (image.dim() != 2 || !image.shape.SequenceEqual(labels.shape))
        {
            throw new ArgumentException($"Expected an image slice and a label slice of one shape [rows, columns]; got [{string.Join(", ", image.shape)}] and [{string.Join(", ", labels.shape)}].");
        }

        var (rows, columns) = ((int)image.shape[0], (int)image.shape[1]);
        var grey = GreyLevels(image);
        var classes = labels.to_type(int64).contiguous().data<long>().ToArray();
        var scale = ScaleFor(columns, rows);
        var (width, height) = (columns * scale, rows * scale);
        var pixels = new SKColor[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var source = (y / scale * columns) + (x / scale);
                pixels[(y * width) + x] = Blend(grey[source], classes[source]);
            }
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Pixels = pixels;
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.SaveTo);
        return (width, height);
    }

    private static byte[] GreyLevels(Tensor image)
    {
        using var scope = NewDisposeScope();
        var values = image.to_type(float32).contiguous().data<float>().ToArray();
        var sorted = values.Where(float.IsFinite).Order().ToArray();
        var (low, high) = sorted.Length == 0 ? (0f, 1f) : (Percentile(sorted, 0.01), Percentile(sorted, 0.99));
        var span = high > low ? high - low : 1f;
        return values.Select(value => float.IsFinite(value) ? (byte)Math.Round(255 * Math.Clamp((value - low) / span, 0f, 1f)) : (byte)0).ToArray();
    }

    private static float Percentile(IReadOnlyList<float> sorted, double fraction) => sorted[(int)Math.Round(fraction * (sorted.Count - 1))];

    private static SKColor Blend(byte grey, long label)
    {
        if (label <= 0)
        {
            return new SKColor(grey, grey, grey);
        }

        var colour = Palette[(label - 1) % Palette.Length];
        byte Mix(byte channel) => (byte)Math.Round((LabelOpacity * channel) + ((1 - LabelOpacity) * grey));
        return new SKColor(Mix(colour.Red), Mix(colour.Green), Mix(colour.Blue));
    }
}
