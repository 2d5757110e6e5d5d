using Understudy.Core.Topology;

namespace Understudy.Hosting;

/// <summary>
/// The config the controller runs now, and the file it came from. A reload replaces it whole once applied; readers
/// that must follow a reload (tokens, endpoints) read <see cref="Current"/> each time rather than keep one.
/// </summary>
/// <param name="Path">The file <c>serve</c> was started with; null for a controller built from a spec alone (tests, the demo), which cannot reload.</param>
public sealed class LiveConfig(UnderstudySpec spec, string? path)
{
    private volatile UnderstudySpec _current = spec;

    public UnderstudySpec Current => _current;

    public string? Path => path;

    internal void Replace(UnderstudySpec next) => _current = next;
}
