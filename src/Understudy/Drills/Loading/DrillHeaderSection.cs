using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>What the drill is called, where it runs and which controller and service its report links to.</summary>
internal sealed record DrillHeader(string Name, string? Description, DrillEnvironment Environment, string? Service, Uri? Controller);

/// <summary><c>name</c>, <c>description</c>, <c>environment</c>, <c>service</c> and <c>controller</c>.</summary>
internal static class DrillHeaderSection
{
    private static readonly Dictionary<string, DrillEnvironment> Environments = new()
    {
        ["staging"] = DrillEnvironment.Staging,
        ["production"] = DrillEnvironment.Production,
    };

    /// <summary>Null after an error, which is recorded.</summary>
    public static DrillHeader? Read(ConfigMapping top)
    {
        ConfigReader reader = top.Reader;
        int before = reader.ErrorCount;

        string? name = top.Required("name", "the drill's name, e.g. name: web primary crash") is { } n
            ? DrillValues.NonEmpty(reader, n, "name", "the drill's name")
            : null;
        string? description = top.Optional("description") is { } d ? reader.Text(d, "description") : null;
        DrillEnvironment? environment = top.Optional("environment") is { } e
            ? reader.Choice(e, "environment", Environments)
            : DrillEnvironment.Staging;
        string? service = top.Optional("service") is { } s ? DrillValues.Name(reader, s, "service", "a service name") : null;
        Uri? controller = Controller(top);

        return reader.ErrorCount == before && name is not null && environment is { } env
            ? new DrillHeader(name, description, env, service, controller)
            : null;
    }

    private static Uri? Controller(ConfigMapping top)
    {
        if (top.Optional("controller") is not { } node) return null;
        var url = DrillValues.Url(top.Reader, node, "controller", "http://127.0.0.1:7400");
        // A controller holds the journals of many services; without service the report could link to none.
        // Like an http-only key on a tcp service, this points at the key: the URL may be fine.
        if (!top.Has("service"))
            top.Reader.Error(top.KeyNode("controller"), "controller", "controller needs service: the report links to one service's journal");
        return url?.Uri;
    }
}
