using System.Collections.Generic;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// The members every generated network declares besides its children. The emitter writes them under these names and
    /// validation rejects a class named like one of them (C# forbids a member named like its class).
    /// </summary>
    internal static class GeneratedMembers
    {
        public const string ParameterCount = nameof(ParameterCount);
        public const string MultiplyAccumulates = nameof(MultiplyAccumulates);
        public const string TorchinfoMultiplyAccumulates = nameof(TorchinfoMultiplyAccumulates);
        public const string InputShape = nameof(InputShape);
        public const string OutputShape = nameof(OutputShape);
        public const string Stages = nameof(Stages);
        public const string Summary = nameof(Summary);
        public const string Grid = nameof(Grid);
        public const string StageObserver = nameof(StageObserver);
        public const string Forward = "forward";
        public const string Stage = nameof(Stage);
        public const string ExportGraph = nameof(ExportGraph);

        public static IReadOnlyCollection<string> All { get; } = new HashSet<string>
        {
            ParameterCount, MultiplyAccumulates, TorchinfoMultiplyAccumulates, InputShape, OutputShape, Stages, Summary, Grid,
            StageObserver, Forward, Stage, ExportGraph,
        };
    }
}
