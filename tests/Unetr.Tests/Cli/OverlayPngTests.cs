using System;
using System.IO;
using SkiaSharp;
using Unetr.CommandLine;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Cli;

public sealed class OverlayPngTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-overlay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Labels_are_tinted_over_a_grey_image_enlarged_to_a_readable_size()
    {
        // 4 rows × 8 columns: brightness rises along each row; class 1 fills row 0, class 2 the first column of row 3.
        using var image = arange(32, float32).reshape(4, 8) % 8;
        using var labels = zeros(new long[] { 4, 8 }, int64);
        labels[0].fill_(1);
        labels[3, 0] = tensor(2L);
        var path = Path.Combine(_directory, "overlay.png");

        var size = OverlayPng.Write(image, labels, path);

        // The shorter side, 4 rows, is enlarged 64 times to reach 256 pixels.
        Assert.Equal((512, 256), size);
        Assert.Equal(size, Png.Size(path));
        using var bitmap = SKBitmap.Decode(path);
        var background = bitmap.GetPixel(7 * 64, 2 * 64);
        Assert.Equal((255, 255, 255), (background.Red, background.Green, background.Blue));
        var dark = bitmap.GetPixel(0, 2 * 64);
        Assert.Equal((0, 0, 0), (dark.Red, dark.Green, dark.Blue));
        var firstClass = bitmap.GetPixel(0, 0);
        Assert.True(firstClass.Red > firstClass.Green && firstClass.Red > firstClass.Blue, $"class 1 at a black voxel is {firstClass}");
        var secondClass = bitmap.GetPixel(0, 3 * 64);
        Assert.True(secondClass.Green > secondClass.Red && secondClass.Green > secondClass.Blue, $"class 2 at a black voxel is {secondClass}");
    }
}
