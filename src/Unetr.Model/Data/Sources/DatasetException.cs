using System;

namespace Unetr.Model.Data.Sources;

/// <summary>
/// A dataset cannot be opened or one of its volumes cannot be used: a missing file, malformed <c>dataset.json</c>,
/// unmatched image and label files, or a label map that does not fit its image. The message names the file and
/// the offending value.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception with a complete message.</summary>
    public DatasetException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
