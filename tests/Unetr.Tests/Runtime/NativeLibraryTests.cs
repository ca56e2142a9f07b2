using System;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using Xunit;

namespace Unetr.Tests.Runtime;

public sealed class NativeLibraryTests
{
    private const string TorchSharpNativeLibrary = "libLibTorchSharp.so";

    [Fact]
    public void Tensor_ops_run_on_this_machine()
    {
        using torch.Tensor left = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        using torch.Tensor right = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });

        using torch.Tensor product = torch.matmul(left, right);

        Assert.Equal(new long[] { 2, 2 }, product.shape);
        // By hand: [1 2 3]·[7 9 11] = 58, [1 2 3]·[8 10 12] = 64, [4 5 6]·[7 9 11] = 139, [4 5 6]·[8 10 12] = 154.
        Assert.Equal(new float[] { 58, 64, 139, 154 }, product.data<float>().ToArray());
    }

    [Fact]
    public void Native_library_in_output_strongly_needs_no_libstdcxx_version_the_host_lacks()
    {
        // ELF symbol versions and libstdc++ decide loading only on Linux.
        if (!OperatingSystem.IsLinux())
            return;

        string[] libraries = Directory.GetFiles(AppContext.BaseDirectory, TorchSharpNativeLibrary, SearchOption.AllDirectories);
        Assert.NotEmpty(libraries);
        string hostLibStdCxx = LoadedLibStdCxx();
        byte[] hostLibStdCxxBytes = File.ReadAllBytes(hostLibStdCxx);

        foreach (string library in libraries)
        {
            VersionNeed[] libStdCxxNeeds = ElfVersionNeeds.Read(library).Where(need => need.File == "libstdc++.so.6").ToArray();
            // Guards against passing vacuously should the reader find nothing.
            Assert.NotEmpty(libStdCxxNeeds);

            string[] unmet = libStdCxxNeeds
                .Where(need => !need.IsWeak && !Defines(hostLibStdCxxBytes, need.Version))
                .Select(need => need.Version)
                .ToArray();
            Assert.True(unmet.Length == 0,
                $"{library} strongly needs {string.Join(", ", unmet)}, which {hostLibStdCxx} lacks; build/NativeLibraryFix.targets should have marked it weak.");
        }
    }

    // The .NET runtime itself links libstdc++, so the copy already mapped into this process is
    // exactly the one the loader will resolve TorchSharp's version needs against.
    private static string LoadedLibStdCxx()
    {
        string? mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is var start and >= 0 ? line[start..] : "")
            .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libstdc++.so.6", StringComparison.Ordinal));
        Assert.NotNull(mapped);
        return mapped;
    }

    private static bool Defines(byte[] library, string version) =>
        library.AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
}
