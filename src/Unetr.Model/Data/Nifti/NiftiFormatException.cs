using System;

namespace Unetr.Model.Data.Nifti;

/// <summary>
/// A file is not a NIfTI-1/NIfTI-2 image this library can read: truncated, corrupt, or using a feature it does
/// not support. The message is "<c>path: problem</c>".
/// </summary>
public sealed class NiftiFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that was being read.</param>
    /// <param name="problem">What is wrong, with the offending value and what was expected.</param>
    /// <param name="innerException">The lower-level failure (for example a gzip error), if any.</param>
    public NiftiFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
