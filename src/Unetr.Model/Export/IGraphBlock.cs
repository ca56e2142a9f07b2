namespace Unetr.Model.Export;

/// <summary>A block that writes its forward pass (one input, one output) into a <see cref="GraphBuilder"/>, in evaluation mode.</summary>
public interface IGraphBlock
{
    /// <summary>Adds the nodes that compute this block's forward on <paramref name="input"/>.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="input">The value the forward receives.</param>
    /// <returns>The value the forward returns.</returns>
    GraphValue Export(GraphBuilder graph, GraphValue input);
}

/// <summary>A decoder block with a skip input (<c>forward(input, skip)</c>) that writes itself into a <see cref="GraphBuilder"/>.</summary>
public interface IGraphSkipBlock
{
    /// <summary>Adds the nodes that compute this block's forward.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="input">The deeper features.</param>
    /// <param name="skip">The skip features.</param>
    /// <returns>The value the forward returns.</returns>
    GraphValue Export(GraphBuilder graph, GraphValue input, GraphValue skip);
}

/// <summary>An encoder returning several token sequences (<c>forward(image) → Tensor[]</c>) that writes itself into a <see cref="GraphBuilder"/>.</summary>
public interface IGraphEncoder
{
    /// <summary>Adds the nodes that compute this encoder's forward.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="image">The image.</param>
    /// <returns>The values the forward returns, in its order.</returns>
    GraphValue[] Export(GraphBuilder graph, GraphValue image);
}

/// <summary>A whole network that writes its forward pass into a <see cref="GraphBuilder"/>; every generated network is one.</summary>
public interface IGraphNetwork
{
    /// <summary>Adds the nodes that compute the network's forward on a batch <paramref name="input"/>.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="input">The batch, <c>[B, ..InputShape]</c>.</param>
    /// <returns>The logits, <c>[B, ..OutputShape]</c>.</returns>
    GraphValue ExportGraph(GraphBuilder graph, GraphValue input);
}
