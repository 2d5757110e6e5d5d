using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Failover;

namespace Understudy.Traffic.Switches;

/// <summary>
/// <c>traffic.hooks[i]</c>: a command that points the platform's routing at the new primary (a cloud CLI, kubectl). It
/// must be idempotent: after a failure every switch runs again. Exit 0 is success; its last output line is the detail.
/// </summary>
public sealed class HookSwitch(ServiceSpec service, int index, HookSpec hook, CommandRunner commands) : ITrafficSwitch
{
    public string Name => $"traffic hook {index + 1} ({hook.Exec[0]})";

    // The command is killed at its own timeout; the margin lets that outcome, with its output, be the one reported.
    public TimeSpan Timeout => hook.Timeout + TimeSpan.FromSeconds(5);

    public bool CanFence => false;

    public Task<SwitchOutcome> FenceAsync(string member, long epoch, CancellationToken cancel) => Task.FromResult(SwitchOutcome.Done("cannot fence"));

    public async Task<SwitchOutcome> SwitchAsync(SwitchTraffic step, CancellationToken cancel)
    {
        CommandOutcome o = await commands.RunAsync(Executor.Argv(hook, Executor.HookPlaceholders(service, step.From, step.To, step.Epoch)), hook.Timeout, cancel);
        // A failure's reason is usually the command's last words (the CLI's error message).
        string said = o.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } last && !o.Succeeded ? $": {last}" : "";
        return new SwitchOutcome(o.Succeeded, $"`{o.Command}` {o.Summary}{said}");
    }
}
