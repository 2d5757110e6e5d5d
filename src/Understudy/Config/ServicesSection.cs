using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary><c>services:</c> a mapping of service name to service, kept in file order.</summary>
internal static class ServicesSection
{
    private const string Expected = "a mapping of service names to services";

    public static ImmutableArray<ServiceSpec>? Read(ConfigMapping top, AddressBook addresses)
    {
        ConfigReader reader = top.Reader;
        if (top.Required("services", Expected) is not { } node) return null;
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, "services", $"expected {Expected}, got {NodeText.Describe(node)}");
            return null;
        }
        if (mapping.Children.Count == 0)
        {
            reader.Error(node, "services", "at least one service is required");
            return null;
        }

        int before = reader.ErrorCount;
        var specs = ImmutableArray.CreateBuilder<ServiceSpec>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                reader.Error(keyNode, "services", $"expected a service name, got {NodeText.Describe(keyNode)}");
                continue;
            }
            string path = $"services.{name}";
            if (!Names.IsValid(name)) reader.Error(keyNode, path, Names.WhyNot(name));
            // The body is read even under a bad name, so its errors come out in the same pass.
            if (ServiceSection.Read(reader, value, path, name, addresses) is { } spec) specs.Add(spec);
        }
        return reader.ErrorCount == before ? specs.ToImmutable() : null;
    }
}
