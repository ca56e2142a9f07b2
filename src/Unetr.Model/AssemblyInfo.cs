using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Unetr.Tests")]
