using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Coordination;

/// <summary>
/// What instances of one cluster must agree on before one may lead (DESIGN.md "Settled details, wave 2 → Several
/// controllers"): every service's kind, members (in order: it breaks ties between candidates), primary, check,
/// failover, targets, hooks (veto ones too), traffic kinds and switches (HAProxy, DNS, traffic hooks) and PostgreSQL user
/// and database, as "key path → canonical text".
/// Left out on purpose: <c>controller.*</c>, <c>traffic.proxy.listen</c> (each host listens where it likes),
/// pidfiles and data folders (paths on one host), secrets and alert channels.
/// </summary>
/// <param name="Entries">Sorted by key, ordinally, so two instances list them alike.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the entries: equal digests, equal entries.</param>
public sealed record ServiceDigest(ImmutableSortedDictionary<string, string> Entries, string Sha256)
{
    private const string None = "(none)";

    // Readable in a difference ("a->b", not "a-\u003Eb"); the text is compared and hashed, never put in HTML.
    private static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ServiceDigest Of(UnderstudySpec spec)
    {
        var entries = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (ServiceSpec s in spec.Services) AddService(entries, $"services.{s.Name}", s);
        var sorted = entries.ToImmutable();
        // JSON pairs, so no key or value can run into the next one.
        byte[] canonical = JsonSerializer.SerializeToUtf8Bytes(sorted.Select(e => new[] { e.Key, e.Value }).ToArray());
        return new ServiceDigest(sorted, Convert.ToHexStringLower(SHA256.HashData(canonical)));
    }

    /// <summary>
    /// The first key (in key order) where this instance's entries differ from the leader's, as a sentence for
    /// <c>/api/cluster</c> and the alert; null when they agree. A service, member or hook one side lacks is named as a whole.
    /// </summary>
    public static string? FirstDifference(IReadOnlyDictionary<string, string> mine, IReadOnlyDictionary<string, string> theirs)
    {
        foreach (string key in mine.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
        {
            bool here = mine.TryGetValue(key, out string? m), there = theirs.TryGetValue(key, out string? t);
            if (here && there && m != t) return $"{key}: {m} here, {t} on the leader";
            if (here != there) return $"{Missing(key, here ? theirs : mine)}: only {(here ? "here" : "on the leader")}";
        }
        return null;
    }

    // The shortest prefix of the key that names a thing (a service, member, hook, proxy or postgres section, not
    // the words "traffic" and "hooks" that only group them) of which the other side has nothing.
    private static string Missing(string key, IReadOnlyDictionary<string, string> other)
    {
        string[] parts = key.Split('.');
        for (int n = 2; n < parts.Length; n++)
        {
            if (parts[n - 1] is "traffic" or "hooks") continue;
            string prefix = string.Join('.', parts[..n]);
            if (!other.Keys.Any(k => k == prefix || k.StartsWith(prefix + ".", StringComparison.Ordinal))) return prefix;
        }
        return key;
    }

    private static void AddService(ImmutableSortedDictionary<string, string>.Builder e, string at, ServiceSpec s)
    {
        e[$"{at}.kind"] = Lower(s.Kind);
        e[$"{at}.members"] = string.Join(", ", s.Members.Select(m => m.Name));
        foreach (MemberSpec m in s.Members)
        {
            e[$"{at}.members.{m.Name}.address"] = m.Address.ToString();
            e[$"{at}.members.{m.Name}.priority"] = Number(m.Priority);
            e[$"{at}.members.{m.Name}.nofailover"] = Flag(m.NoFailover);
        }
        e[$"{at}.primary"] = s.Primary;
        CheckSpec c = s.Check;
        e[$"{at}.check.interval"] = Time(c.Interval);
        e[$"{at}.check.timeout"] = Time(c.Timeout);
        e[$"{at}.check.fall"] = Number(c.Fall);
        e[$"{at}.check.rise"] = Number(c.Rise);
        e[$"{at}.check.path"] = c.Path;
        e[$"{at}.check.expect_status"] = Number(c.ExpectStatus);
        e[$"{at}.check.expect_body"] = c.ExpectBody ?? None;
        FailoverSpec f = s.Failover;
        e[$"{at}.failover.mode"] = Lower(f.Mode);
        e[$"{at}.failover.cooldown"] = Time(f.Cooldown);
        e[$"{at}.failover.max_lag"] = Number(f.MaxLagBytes);
        e[$"{at}.failover.synchronous"] = Flag(f.Synchronous);
        e[$"{at}.failover.synchronous_strict"] = Flag(f.SynchronousStrict);
        e[$"{at}.failover.approvals"] = Number(f.Approvals);
        e[$"{at}.failover.approval_timeout"] = Time(f.ApprovalWindow);
        e[$"{at}.failover.quorum"] = f.Quorum is { } q ? Number(q) : "majority";
        e[$"{at}.targets.rto"] = s.Targets.Rto is { } rto ? Time(rto) : None;
        e[$"{at}.targets.recovery"] = s.Targets.Recovery is { } recovery ? Time(recovery) : None;
        e[$"{at}.targets.rpo"] = s.Targets.Rpo switch { { Writes: { } w } => Number(w), { Window: { } d } => Time(d), _ => None };
        AddHooks(e, $"{at}.hooks.on_failover", s.Hooks.OnFailover);
        AddHooks(e, $"{at}.hooks.on_switchover", s.Hooks.OnSwitchover);
        AddHooks(e, $"{at}.hooks.fence", s.Hooks.Fence);
        AddHooks(e, $"{at}.hooks.veto", s.Hooks.VetoHooks);
        AddSwitches(e, $"{at}.traffic", s.TrafficSwitches);
        if (s.Proxy is { } proxy)
        {
            e[$"{at}.traffic.proxy"] = "on";
            e[$"{at}.traffic.proxy.hold"] = Time(proxy.Hold);
            e[$"{at}.traffic.proxy.drain_timeout"] = Time(proxy.Drain);
        }
        if (s.Postgres is { } pg)
        {
            e[$"{at}.postgres.user"] = pg.User;
            e[$"{at}.postgres.database"] = pg.Database;
        }
    }

    /// <summary>HAProxy's socket path is this host's; its admin address, backend and servers, and DNS's name, are the cluster's.</summary>
    private static void AddSwitches(ImmutableSortedDictionary<string, string>.Builder e, string at, TrafficSwitchesSpec t)
    {
        for (int i = 0; i < t.Haproxy.Length; i++)
        {
            HaproxySpec h = t.Haproxy[i];
            e[$"{at}.haproxy[{i}].backend"] = h.Backend;
            e[$"{at}.haproxy[{i}].address"] = h.Address?.ToString() ?? "(socket)";
            e[$"{at}.haproxy[{i}].servers"] = string.Join(", ", h.Servers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            e[$"{at}.haproxy[{i}].timeout"] = Time(h.Timeout);
        }
        if (t.Dns is { } dns)
        {
            e[$"{at}.dns"] = $"{dns.Name} in {dns.Zone} at {dns.Server}, ttl {Time(dns.Ttl)}, key {dns.Tsig.KeyName} ({dns.Tsig.Algorithm}), timeout {Time(dns.Timeout)}";
        }
        AddHooks(e, $"{at}.hooks", t.Hooks);
    }

    private static void AddHooks(ImmutableSortedDictionary<string, string>.Builder e, string at, ImmutableArray<HookSpec> hooks)
    {
        for (int i = 0; i < hooks.Length; i++)
        {
            e[$"{at}[{i}].exec"] = JsonSerializer.Serialize(hooks[i].Exec.ToArray(), Plain);
            e[$"{at}[{i}].timeout"] = Time(hooks[i].Timeout);
            if (!hooks[i].Required) e[$"{at}[{i}].required"] = "false";
        }
    }

    private static string Time(TimeSpan t) => Durations.Format(t);
    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
    private static string Flag(bool b) => b ? "true" : "false";
    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
