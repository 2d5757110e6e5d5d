using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>failover:</c> whether the controller fails over by itself and how soon it may do so again; for
/// PostgreSQL and Redis also how far behind a standby may be and whether replication is kept synchronous.
/// </summary>
internal static class FailoverSection
{
    private static readonly KindKeySet Keys = new(
        ["mode", "cooldown", "approvals", "approval_timeout", "quorum"],
        [(ServiceKinds.Replicated, ["max_lag", "synchronous", "synchronous_strict"]), ([ServiceKind.Redis], ["rejoin"])]);

    private static readonly Dictionary<string, FailoverMode> Modes = new()
    {
        ["automatic"] = FailoverMode.Automatic,
        ["manual"] = FailoverMode.Manual,
    };

    private static readonly Dictionary<string, RejoinMode> RejoinModes = new()
    {
        ["manual"] = RejoinMode.Manual,
        ["auto"] = RejoinMode.Auto,
    };

    /// <summary>More approvers than this is a typo, not a policy.</summary>
    private const int MaxApprovals = 10;

    /// <summary>More instances than this is a typo, not a cluster.</summary>
    private const int MaxQuorum = 99;

    /// <summary>Defaults fill what is absent; null after an error, which is recorded.</summary>
    public static FailoverSpec? Read(ConfigMapping service, ServiceKind? kind)
    {
        ConfigReader reader = service.Reader;
        ConfigMapping? f = service.Section("failover", Keys.For(kind));
        FailoverMode? mode = f?.Optional("mode") is { } m ? reader.Choice(m, f.KeyOf("mode"), Modes) : FailoverMode.Automatic;
        // Zero is allowed: it means back-to-back failovers are not held back at all.
        TimeSpan? cooldown = f?.Optional("cooldown") is { } c ? reader.Duration(c, f.KeyOf("cooldown"), zeroAllowed: true) : FailoverDefaults.Cooldown;
        // Zero would exclude every standby that is not exactly caught up, which under any write load is all of them.
        long? maxLag = f?.Optional("max_lag") is { } l ? reader.Size(l, f.KeyOf("max_lag"), zeroAllowed: false) : FailoverDefaults.MaxLagBytes;
        bool? synchronous = f?.Optional("synchronous") is { } s ? reader.Bool(s, f.KeyOf("synchronous")) : false;
        bool? strict = f?.Optional("synchronous_strict") is { } st ? Strict(f, st, synchronous) : false;
        // Redis's synchronous mode is the proxy's WAIT after each write: without the proxy nothing would wait.
        if (kind is ServiceKind.Redis && synchronous is true && !TrafficSection.HasProxy(service))
            reader.Error(f!.Optional("synchronous")!, f.KeyOf("synchronous"), "kind redis keeps writes synchronous in the built-in proxy (a WAIT after each write): add traffic.proxy");

        int? approvals = f?.Optional("approvals") is { } a ? reader.Int(a, f.KeyOf("approvals"), 0, MaxApprovals) : 0;
        // Absent: a majority of the instances registered at the time (several controllers); a single one decides alone.
        int? quorum = f?.Optional("quorum") is { } q ? reader.Int(q, f.KeyOf("quorum"), 1, MaxQuorum) : null;
        RejoinMode? rejoin = f?.Optional("rejoin") is { } r ? reader.Choice(r, f.KeyOf("rejoin"), RejoinModes) : RejoinMode.Manual;
        int errors = reader.ErrorCount;
        // Absent stays null: the spec then reads as the default (FailoverSpec.ApprovalWindow).
        TimeSpan? window = f?.Optional("approval_timeout") is { } w ? reader.Duration(w, f.KeyOf("approval_timeout"), zeroAllowed: false) : null;

        return mode is { } md && cooldown is { } cd && maxLag is { } lag && synchronous is { } sync && strict is { } str && approvals is { } n && rejoin is { } rj && reader.ErrorCount == errors
            ? new FailoverSpec(md, cd, lag, sync, str, n, window, quorum, rj)
            : null;
    }

    // Strict only says what to do when no synchronous standby is left; without synchronous there is none to lose.
    private static bool? Strict(ConfigMapping f, YamlNode node, bool? synchronous)
    {
        if (f.Reader.Bool(node, f.KeyOf("synchronous_strict")) is not { } strict) return null;
        if (!strict || synchronous is not false) return strict;
        string which = f.Has("synchronous") ? "" : " (it is false by default)";
        f.Reader.Error(node, f.KeyOf("synchronous_strict"), $"requires synchronous: true{which}");
        return null;
    }
}
