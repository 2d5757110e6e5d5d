using System.Text.RegularExpressions;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Traffic.Switches;

namespace Understudy.Api;

/// <summary>
/// For a dry run: every command a change would run, placeholders filled in, in the order they would run — fence hooks,
/// the traffic switches (HAProxy's runtime API, the DNS update, traffic hooks), then the hooks that follow the switch.
/// </summary>
internal static partial class PlanCommands
{
    public static IReadOnlyList<string> For(ServiceSpec spec, RequestKind kind, string from, string to, long epoch)
    {
        var commands = new List<string>();
        var placeholders = Failover.Executor.HookPlaceholders(spec, from, to, epoch);
        void Hooks(string list, IEnumerable<HookSpec> hooks) =>
            commands.AddRange(hooks.Select((h, i) => $"{list}[{i}]: {Shell(Failover.Executor.Argv(h, placeholders))}"));

        if (kind == RequestKind.Failover) Hooks("hooks.fence", spec.Hooks.Fence);
        TrafficSwitchesSpec switches = spec.TrafficSwitches;
        foreach (HaproxySpec h in switches.Haproxy)
        {
            string server(string member) => $"{h.Backend}/{h.ServerOf(member)}";
            string others = string.Join(", ", spec.Members.Where(m => m.Name != to).Select(m => $"set server {server(m.Name)} state maint"));
            commands.Add($"traffic.haproxy {h.Where}: {others}; shutdown sessions server {server(from)}; set server {server(to)} state ready");
        }
        if (switches.Dns is { } dns)
            commands.Add($"traffic.dns {dns.Server}: UPDATE zone {dns.Zone} (TSIG {dns.Tsig.KeyName}): delete {dns.Name} A and AAAA, add {dns.Name} {dns.Ttl.TotalSeconds:0} {spec.Member(to).Address.Host}");
        Hooks("traffic.hooks", switches.Hooks);
        Hooks(kind == RequestKind.Failover ? "hooks.on_failover" : "hooks.on_switchover", kind == RequestKind.Failover ? spec.Hooks.OnFailover : spec.Hooks.OnSwitchover);
        return commands;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex Plain();

    /// <summary>The argv as a POSIX shell would need it typed, so a person can copy a line and run it by hand.</summary>
    public static string Shell(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(a => Plain().IsMatch(a) ? a : "'" + a.Replace("'", "'\\''") + "'"));
}
