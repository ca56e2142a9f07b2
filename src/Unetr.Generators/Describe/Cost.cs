namespace Unetr.Generators.Describe
{
    /// <summary>Parameters and the two MAC counts of one module; adds up with checked arithmetic.</summary>
    internal readonly record struct Cost(long Parameters, long Macs, long TorchinfoMacs)
    {
        public static Cost Zero => default;

        public static Cost operator +(Cost left, Cost right) => new Cost(
            checked(left.Parameters + right.Parameters),
            checked(left.Macs + right.Macs),
            checked(left.TorchinfoMacs + right.TorchinfoMacs));

        /// <summary>The same module repeated <paramref name="count"/> times (the transformer blocks).</summary>
        public Cost Times(long count) => new Cost(
            checked(Parameters * count),
            checked(Macs * count),
            checked(TorchinfoMacs * count));

        /// <summary>A module that exists (its parameters are in the state dict) but never runs.</summary>
        public Cost NotRun() => new Cost(Parameters, 0, 0);
    }
}
