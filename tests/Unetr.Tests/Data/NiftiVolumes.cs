using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data.Nifti;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

/// <summary>Writes small NIfTI files whose voxel values are a known function of (channel, x, y, z).</summary>
internal static class NiftiVolumes
{
    /// <summary>
    /// Writes an image of <paramref name="nx"/> × <paramref name="ny"/> × <paramref name="nz"/> voxels (× <paramref name="channels"/>
    /// as a 4th dimension when above 1) whose voxel (x, y, z) of channel c holds <paramref name="value"/>(c, x, y, z).
    /// </summary>
    public static string Write(
        string path, long nx, long ny, long nz, Func<long, long, long, long, double> value,
        long channels = 1, double[]? spacing = null, NiftiDataType type = NiftiDataType.Float32)
    {
        var sp = spacing ?? new[] { 1.0, 1.0, 1.0 };
        var dimensions = channels > 1 ? new[] { nx, ny, nz, channels } : new[] { nx, ny, nz };
        var header = new NiftiHeader
        {
            Dimensions = dimensions,
            DataType = type,
            PixDim = new[] { 1, sp[0], sp[1], sp[2], 1, 1, 1, 1 },
            SformCode = NiftiXformCode.ScannerAnatomical,
            SrowX = new[] { -sp[0], 0, 0, 90 },
            SrowY = new[] { 0, sp[1], 0, -126 },
            SrowZ = new[] { 0, 0, sp[2], -72 },
        };

        // File order: x fastest, then y, z, channel; read row-major that is [channel, z, y, x].
        var values = new double[nx * ny * nz * channels];
        for (long c = 0, i = 0; c < channels; c++)
        {
            for (long z = 0; z < nz; z++)
            {
                for (long y = 0; y < ny; y++)
                {
                    for (long x = 0; x < nx; x++)
                    {
                        values[i++] = value(c, x, y, z);
                    }
                }
            }
        }

        using var voxels = tensor(values).reshape(channels > 1 ? new[] { channels, nz, ny, nx } : new[] { nz, ny, nx });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
        return path;
    }

    /// <summary>A label map (uint8) whose voxel (x, y, z) holds <paramref name="label"/>(x, y, z).</summary>
    public static string WriteLabel(string path, long nx, long ny, long nz, Func<long, long, long, int> label, double[]? spacing = null) =>
        Write(path, nx, ny, nz, (_, x, y, z) => label(x, y, z), spacing: spacing, type: NiftiDataType.UInt8);

    /// <summary>Writes a text file, creating its folder.</summary>
    public static string WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The values of a tensor as a flat array of doubles.</summary>
    public static double[] Values(Tensor tensor)
    {
        using var flat = tensor.to_type(float64).flatten();
        return flat.data<double>().ToArray();
    }
}
