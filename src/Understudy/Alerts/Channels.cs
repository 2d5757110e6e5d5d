using Understudy.Core.Topology;

namespace Understudy.Alerts;

/// <summary>The notifier's channels: the global ones, each service's own, and all of them; swapped whole by a reload.</summary>
internal sealed record Channels(IReadOnlyList<AlertChannel> Global, IReadOnlyDictionary<string, IReadOnlyList<AlertChannel>> ByService, IReadOnlyList<AlertChannel> All)
{
    public static readonly Channels None = new([], new Dictionary<string, IReadOnlyList<AlertChannel>>(), []);

    /// <summary>The channels <paramref name="spec"/> names, reusing those of <paramref name="before"/> configured alike in the same place.</summary>
    public static Channels Of(UnderstudySpec spec, Channels before, Func<AlertChannelSpec, AlertChannel> create)
    {
        IReadOnlyList<AlertChannel> Place(IEnumerable<AlertChannelSpec> wanted, IReadOnlyList<AlertChannel> had) =>
            [.. wanted.Select(w => had.FirstOrDefault(c => Same(c.Spec, w)) ?? create(w))];

        IReadOnlyList<AlertChannel> global = Place(spec.AlertChannels, before.Global);
        var byService = spec.Services.ToDictionary(s => s.Name, s => Place(s.AlertChannels, before.ByService.GetValueOrDefault(s.Name) ?? []));
        return new Channels(global, byService, [.. global, .. byService.Values.SelectMany(c => c)]);
    }

    private static bool Same(AlertChannelSpec a, AlertChannelSpec b) => Config.SpecText.Same(a, b);
}
