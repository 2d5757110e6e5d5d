using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// Every address the file names, so a proxy is not told to listen where the controller's API, another proxy
/// or a member already is. Filled while sections are read, checked once all of them are.
/// </summary>
internal sealed class AddressBook
{
    private sealed record Taken(HostPort Address, string Owner);

    private sealed record Listen(HostPort Address, string Shown, YamlNode Node, string Key);

    private Taken api = new(ControllerDefaults.Api, "controller.api (the default)");
    private readonly List<Taken> members = [];
    private readonly List<Listen> listens = [];

    public void AddApi(HostPort address, string key) => api = new(address, key);

    public void AddMember(HostPort address, string key, string member) => members.Add(new(address, $"{key} (member {member})"));

    public void AddListen(HostPort address, string shown, YamlNode node, string key) => listens.Add(new(address, shown, node, key));

    /// <summary>Records one error per proxy listen address that something else already uses.</summary>
    public void CheckListens(ConfigReader reader)
    {
        for (int i = 0; i < listens.Count; i++)
        {
            Listen listen = listens[i];
            IEnumerable<Taken> others = [api, .. listens.Take(i).Select(l => new Taken(l.Address, l.Key)), .. members];
            if (others.FirstOrDefault(t => Same(t.Address, listen.Address)) is { } taken)
                reader.Error(listen.Node, listen.Key, $"{listen.Shown} is already used by {taken.Owner}");
        }
    }

    // Host names compare without case, as DNS does; "localhost" and "127.0.0.1" are not resolved to each other.
    public static bool Same(HostPort a, HostPort b) =>
        a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
}
