using Understudy.Core.Cluster;

namespace Understudy.Cluster;

/// <summary>What this instance knows of its cluster; a single controller is a cluster of one that always leads.</summary>
public interface IClusterState
{
    /// <summary>The cluster's name (<c>coordination.cluster</c>); empty for a single controller.</summary>
    string Cluster { get; }

    /// <summary>This instance's <c>controller.name</c>.</summary>
    string Instance { get; }

    bool IsLeader { get; }

    /// <summary>Where the leader's API answers, when one is known and it is not this instance.</summary>
    Uri? LeaderApi { get; }

    /// <summary>Whether this instance's proxies may route now (the routing lease).</summary>
    RouteGate Gate { get; }

    ClusterView View();

    /// <summary>What this instance tells a peer whose etcd is unreachable (failsafe).</summary>
    PeerReport Report();
}

/// <summary><c>GET /api/cluster</c>.</summary>
/// <param name="Problem">Why this instance may not lead or route, when it may not (its config differs, etcd unreachable, a newer schema).</param>
public sealed record ClusterView(string Cluster, string? Leader, string Instance, string Routing, IReadOnlyList<InstanceView> Instances, string? Problem = null);

/// <param name="LagEvents">Events committed to the log that this instance has not folded yet, as it last reported.</param>
public sealed record InstanceView(string Name, string Api, bool Leader, DateTimeOffset? SeenAt, long LagEvents, string? Version = null);

/// <summary>One controller alone: it leads, routes, and is the whole cluster.</summary>
public sealed class SingleInstance(string name, string api, Func<IReadOnlyDictionary<string, long>> epochs, TimeProvider time) : IClusterState
{
    public string Cluster => "";
    public string Instance => name;
    public bool IsLeader => true;
    public Uri? LeaderApi => null;
    public RouteGate Gate => RouteGate.Open;

    public ClusterView View() => new("", name, name, "open", [new InstanceView(name, api, true, time.GetUtcNow(), 0, Hosting.Controller.Version)]);

    public PeerReport Report() => new(name, EtcdReachable: false, epochs());
}
