using System;
using System.Collections.Generic;
using System.Reflection;

namespace Unetr.Model.Presets;

/// <summary>
/// Marks an assembly whose UNETR declarations the generator has listed. The generator derives one per assembly
/// (<c>DeclaredNetworks.CatalogAttribute</c>) and applies it to the assembly; applying it yourself is not needed.
/// </summary>
/// <remarks>
/// A host finds an assembly's networks by reading this attribute, which instantiates the generated subclass: no type
/// scanning and no reflective invocation, so it works trimmed and with native AOT.
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public abstract class NetworkCatalogAttribute : Attribute
{
    /// <summary>The networks declared in the assembly, in declaration order.</summary>
    public abstract IReadOnlyList<Preset> Networks { get; }

    /// <summary>The networks declared in <paramref name="assembly"/>; none when it declares no valid network.</summary>
    /// <param name="assembly">An assembly built with the Unetr generator, e.g. <c>typeof(Program).Assembly</c>.</param>
    public static IReadOnlyList<Preset> In(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<NetworkCatalogAttribute>()?.Networks ?? Array.Empty<Preset>();
    }
}
