using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// One problem in a config file, with the place it was found. <see cref="Line"/> and <see cref="Column"/> are
/// 1-based; 0 means the error concerns the whole file (it could not be read).
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    // Pinned by tests: "understudy.yaml:14:7 services.web.check.fall: must be ≥ 1 (got 0)"
    public override string ToString() => $"{File}:{Line}:{Column} {Key}: {Message}";
}

/// <summary>Either a validated spec with no errors, or every error found in one pass and no spec.</summary>
public sealed record ConfigResult(UnderstudySpec? Spec, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Spec is not null && Errors.Count == 0;
}
