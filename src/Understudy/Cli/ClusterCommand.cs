using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Understudy.Cluster;

namespace Understudy.Cli;

/// <summary><c>cluster</c>, and how the cluster reads in <c>status</c>.</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var cmd = api.AddTo(new Command("cluster",
            "Show the controller's cluster: which instance leads, whether the one asked routes (and why not), and every instance with how far it lags."));
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            ClusterView view = await client.ClusterAsync(ct);
            if (parse.GetValue(api.Json)) ApiOptions.WriteJson(view);
            else AnsiConsole.Write(Render(view, DateTimeOffset.UtcNow));
            return CliApp.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>The summary, the problem if there is one, then the instances.</summary>
    internal static IRenderable Render(ClusterView view, DateTimeOffset now)
    {
        // Text, not Markup: names and the problem come from the API and may hold brackets.
        var parts = new List<IRenderable> { new Text(Summary(view)) };
        if (view.Problem is { } problem) parts.Add(new Text($"problem: {problem}", new Style(Color.Yellow)));
        parts.Add(Table(view, now));
        return new Rows(parts);
    }

    /// <summary>"cluster shop: leader ctl-b, 3 instances; this one (ctl-a) routing open".</summary>
    internal static string Summary(ClusterView view)
    {
        if (IsSingle(view)) return $"single controller (no coordination): {view.Instance}, routing {view.Routing}";
        string leader = view.Leader is { } name ? $"leader {name}" : "no leader";
        string instances = view.Instances.Count == 1 ? "1 instance" : $"{view.Instances.Count} instances";
        return $"cluster {view.Cluster}: {leader}, {instances}; this one ({view.Instance}) routing {view.Routing}";
    }

    /// <summary>The line <c>status</c> prints above the services; none for a single controller, which has nothing to tell.</summary>
    internal static string? StatusLine(ClusterView view) =>
        IsSingle(view) ? null : Summary(view) + (view.Problem is { } problem ? $"; problem: {problem}" : "");

    internal static Table Table(ClusterView view, DateTimeOffset now)
    {
        var table = new Table().AddColumns("instance", "api", "leader", "seen", "lag events", "version");
        table.Columns[4].RightAligned();
        foreach (InstanceView i in view.Instances)
        {
            string name = i.Name == view.Instance ? $"{i.Name} (this one)" : i.Name;
            string lag = i.LagEvents.ToString(CultureInfo.InvariantCulture);
            table.AddRow([.. new[] { name, OrUnknown(i.Api), i.Leader ? "★" : "", Seen(i.SeenAt, now), lag, OrUnknown(i.Version) }.Select(Markup.Escape)]);
        }
        return table;
    }

    /// <summary>
    /// How long ago the instance asked last read this one's presence in etcd. It grows while the instance asked
    /// cannot reach etcd; an instance that is gone drops out of the list once its lease ends.
    /// </summary>
    internal static string Seen(DateTimeOffset? seenAt, DateTimeOffset now)
    {
        if (seenAt is not { } at) return "never";
        TimeSpan age = now - at;
        // Under a second covers the usual half-second refresh, and a controller clock slightly ahead of ours.
        if (age < TimeSpan.FromSeconds(1)) return "just now";
        if (age < TimeSpan.FromMinutes(2)) return $"{(int)age.TotalSeconds} s ago";
        if (age < TimeSpan.FromHours(2)) return $"{(int)age.TotalMinutes} min ago";
        return at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
    }

    private static bool IsSingle(ClusterView view) => view.Cluster.Length == 0;

    // An instance whose presence record a newer version wrote differently, or an older controller without versions.
    private static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? "unknown" : value;
}
