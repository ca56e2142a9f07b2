using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Unetr.Model.Data.Sources;

/// <summary>
/// Reads a folder of image and label files paired by file name: the Decathlon layout <c>imagesTr/</c> + <c>labelsTr/</c>
/// (with <c>imagesTs/</c> listed as test images when present) or plainly <c>images/</c> + <c>labels/</c>.
/// </summary>
/// <remarks>
/// Only <c>.nii</c> and <c>.nii.gz</c> files count, and names starting with a dot are skipped: the Decathlon's archives
/// carry macOS <c>._spleen_2.nii.gz</c> resource files beside the real ones. Volumes are in ordinal name order.
/// </remarks>
public static class PairedFolder
{
    private const int ListedNames = 10;

    private static readonly (string Images, string Labels, string? Test)[] Layouts =
    {
        ("imagesTr", "labelsTr", "imagesTs"),
        ("images", "labels", null),
    };

    /// <summary>Whether <paramref name="directory"/> has one of the layouts this reader knows.</summary>
    public static bool HasKnownLayout(string directory) =>
        Layouts.Any(layout => Directory.Exists(Path.Combine(directory, layout.Images)) || Directory.Exists(Path.Combine(directory, layout.Labels)));

    /// <summary>Pairs the images and labels under <paramref name="directory"/>.</summary>
    /// <exception cref="DatasetException">
    /// The folder or one of its two subfolders is missing, it holds no NIfTI files, or some files have no partner
    /// (the message lists them).
    /// </exception>
    public static DatasetDescription Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DatasetException($"No dataset folder at '{fullPath}'.");
        }

        var layout = Layouts.FirstOrDefault(l => Directory.Exists(Path.Combine(fullPath, l.Images)) || Directory.Exists(Path.Combine(fullPath, l.Labels)));
        if (layout.Images is null)
        {
            throw new DatasetException(
                $"{fullPath}: expected a dataset.json or the subfolders {string.Join(" or ", Layouts.Select(l => $"{l.Images}/ + {l.Labels}/"))}; found {Subfolders(fullPath)}.");
        }

        var images = NiftiFiles(fullPath, layout.Images);
        var labels = NiftiFiles(fullPath, layout.Labels);
        var unpaired = Unpaired(images, labels, layout.Images) + Unpaired(labels, images, layout.Labels);
        if (unpaired.Length > 0)
        {
            throw new DatasetException($"{fullPath}: images and labels are paired by file name, but {unpaired.TrimEnd(';', ' ')}.");
        }

        if (images.Count == 0)
        {
            throw new DatasetException($"{fullPath}: {layout.Images}/ and {layout.Labels}/ hold no .nii or .nii.gz files.");
        }

        var training = images.Keys.Order(StringComparer.Ordinal).Select(name => new VolumeFiles(images[name], labels[name])).ToArray();
        var test = layout.Test is { } testFolder && Directory.Exists(Path.Combine(fullPath, testFolder))
            ? NiftiFiles(fullPath, testFolder).OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (IReadOnlyList<string>)new[] { pair.Value }).ToArray()
            : Array.Empty<IReadOnlyList<string>>();
        return new DatasetDescription(fullPath, Path.GetFileName(fullPath), ClassNames: null, ChannelNames: null, training, Validation: null, test);
    }

    private static Dictionary<string, string> NiftiFiles(string root, string folder)
    {
        var directory = Path.Combine(root, folder);
        if (!Directory.Exists(directory))
        {
            throw new DatasetException($"{root}: {folder}/ is missing beside its partner folder (found {Subfolders(root)}).");
        }

        return Directory.EnumerateFiles(directory)
            .Where(file => !Path.GetFileName(file).StartsWith('.')
                && (file.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(file => Path.GetFileName(file), file => file, StringComparer.Ordinal);
    }

    private static string Unpaired(Dictionary<string, string> files, Dictionary<string, string> partners, string folder)
    {
        var lonely = files.Keys.Where(name => !partners.ContainsKey(name)).Order(StringComparer.Ordinal).ToArray();
        if (lonely.Length == 0)
        {
            return string.Empty;
        }

        var listed = string.Join(", ", lonely.Take(ListedNames));
        var more = lonely.Length > ListedNames ? $" and {lonely.Length - ListedNames} more" : string.Empty;
        return $"{lonely.Length} in {folder}/ have no partner: {listed}{more}; ";
    }

    private static string Subfolders(string directory)
    {
        var names = Directory.EnumerateDirectories(directory).Select(d => Path.GetFileName(d) + "/").Order(StringComparer.Ordinal).ToArray();
        return names.Length == 0 ? "no subfolders" : string.Join(", ", names);
    }
}
