using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Unetr.CodeFixes;
using Xunit;

namespace Unetr.Tests.CodeFixes;

/// <summary>
/// Each IDE fix turns a declaration the generator rejects into one it accepts: before (diagnostics marked
/// <c>{|ID:span|}</c>) and after sources. The testing library also applies each fix to all occurrences at once.
/// </summary>
public sealed class CodeFixTests
{
    private const string Header = "using Unetr.Dsl;\nnamespace Demo;\n";

    private const string Patch16 = """
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8, 16 })]
        """;

    [Fact]
    public Task Adds_partial_after_the_other_modifiers() => Verify<AddPartialCodeFix>(
        Header + Unetr2D + Patch16 + "\npublic sealed class {|UNETR001:Net|};\n",
        Header + Unetr2D + Patch16 + "\npublic sealed partial class Net;\n");

    [Fact]
    public Task Adds_partial_to_a_class_without_modifiers() => Verify<AddPartialCodeFix>(
        Header + Unetr2D + Patch16 + "\nclass {|UNETR001:Net|} { }\n",
        Header + Unetr2D + Patch16 + "\npartial class Net { }\n");

    [Fact]
    public Task Adds_partial_to_the_enclosing_type_that_lacks_it() => Verify<AddPartialCodeFix>(
        Header + "public static class {|UNETR001:Outer|}\n{\n" + Unetr2D + Patch16 + "\n    public partial class Net;\n}\n",
        Header + "public static partial class Outer\n{\n" + Unetr2D + Patch16 + "\n    public partial class Net;\n}\n");

    [Fact]
    public Task Rounds_image_sizes_to_the_nearest_multiple_of_the_patch_size() => Verify<RoundImageSizeCodeFix>(
        Header + "[Unetr(ImageSize = new[] { {|UNETR008:40|}, 32, {|UNETR008:20|} }, InChannels = 1, OutChannels = 2)]\n" + Patch16 + "\npublic partial class Net;\n",
        Header + "[Unetr(ImageSize = new[] { 48, 32, 16 }, InChannels = 1, OutChannels = 2)]\n" + Patch16 + "\npublic partial class Net;\n");

    [Fact]
    public Task Rounds_an_image_size_in_a_collection_expression_down_when_that_is_nearer() => Verify<RoundImageSizeCodeFix>(
        Header + "[Unetr(ImageSize = [32, {|UNETR008:36|}], InChannels = 1, OutChannels = 2)]\n" + Patch16 + "\npublic partial class Net;\n",
        Header + "[Unetr(ImageSize = [32, 32], InChannels = 1, OutChannels = 2)]\n" + Patch16 + "\npublic partial class Net;\n");

    [Fact]
    public Task Sets_heads_to_the_nearest_divisor_of_the_embedding() => Verify<NearestHeadsCodeFix>(
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 48, Depth = 4, {|UNETR009:Heads = 11|})]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 48, Depth = 4, Heads = 12)]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    [Fact]
    public Task Writes_heads_when_the_default_does_not_divide_the_embedding() => Verify<NearestHeadsCodeFix>(
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[{|UNETR009:Encoder(EmbedDim = 40, Depth = 4)|}]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 40, Depth = 4, Heads = 10)]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    [Fact]
    public Task Replaces_extract_layers_of_the_wrong_count_with_evenly_spaced_ones() => Verify<EvenlySpacedExtractLayersCodeFix>(
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, {|UNETR010:ExtractLayers = new[] { 3, 6, 12 }|})]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = new[] { 4, 7, 10, 12 })]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    [Fact]
    public Task Replaces_extract_layers_with_one_out_of_range_keeping_the_collection_expression() => Verify<EvenlySpacedExtractLayersCodeFix>(
        Header + "[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]\n[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = [{|UNETR011:0|}, 6, 9, 12])]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + "[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]\n[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = [3, 6, 9, 12])]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    [Fact]
    public Task Replaces_extract_layers_out_of_order() => Verify<EvenlySpacedExtractLayersCodeFix>(
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = new int[] { 6, {|UNETR012:3|}, 9, 12 })]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = new[] { 4, 7, 10, 12 })]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    [Fact]
    public Task Replaces_extract_layers_that_stop_before_the_last_block() => Verify<EvenlySpacedExtractLayersCodeFix>(
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = new[] { 3, 6, 9, {|UNETR013:11|} })]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n",
        Header + Unetr2D + "[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 16, Depth = 12, Heads = 2, ExtractLayers = new[] { 4, 7, 10, 12 })]\n[Decoder(Widths = new[] { 2, 4, 8, 16 })]\npublic partial class Net;\n");

    private const string Unetr2D = "[Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]\n";

    private static Task Verify<TFix>(string before, string after)
        where TFix : CodeFixProvider, new() =>
        new UnetrCodeFixTest<TFix> { TestCode = before, FixedCode = after }.RunAsync();
}
