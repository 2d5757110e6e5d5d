using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>Collects errors during one pass over a file; nothing stops at the first one.</summary>
internal sealed class ConfigErrors(string file)
{
    private readonly List<ConfigError> errors = [];

    public string File => file;
    public int Count => errors.Count;

    public void Add(Mark at, string key, string message) => errors.Add(new(file, (int)at.Line, (int)at.Column, key, message));

    public void Add(YamlNode at, string key, string message) => Add(at.Start, key, message);

    public void Add(int line, int column, string key, string message) => errors.Add(new(file, line, column, key, message));

    /// <summary>In file order, so the list reads top to bottom; ties keep the order they were found in.</summary>
    public IReadOnlyList<ConfigError> InFileOrder() =>
        errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
}
