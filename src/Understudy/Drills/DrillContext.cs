using Understudy.Api;
using Understudy.Commands;
using Understudy.Core.Drills;
using Understudy.Drills.Network;
using Understudy.Hosting;

namespace Understudy.Drills;

/// <summary>What every part of a running drill shares, instead of six parameters each.</summary>
public sealed class DrillContext(DrillSpec spec, ControllerClient? controller, IDrillObserver observer, TimeProvider time, TextReader operatorInput)
{
    public DrillSpec Spec => spec;
    public ControllerClient? Controller => controller;
    public IDrillObserver Observer => observer;
    public TimeProvider Time => time;
    public TextReader OperatorInput => operatorInput;

    /// <summary>Exec steps run in the drill file's folder, so <c>./script.sh</c> in a drill means the script beside it.</summary>
    public CommandRunner Commands { get; } = new(Path.GetDirectoryName(spec.SourcePath) ?? ".", time);

    /// <summary>The linked service as the controller saw it when the drill began; null for unmanaged systems.</summary>
    public ServiceView? Service { get; set; }

    /// <summary>When the first fault took effect.</summary>
    public DateTimeOffset? FaultAt { get; set; }

    /// <summary>When the first fault step began; before <see cref="FaultAt"/> for a command that takes a while to act.</summary>
    public DateTimeOffset? FaultBegan { get; set; }

    /// <summary>Members the drill injected proxy faults toward (a network delay included); rollback clears them, whatever happened.</summary>
    public HashSet<string> FaultedMembers { get; } = [];

    /// <summary>The run's nft table for network drops and loss; rollback removes it, whatever happened.</summary>
    public HostFirewall Firewall { get; } = new(time);

    /// <summary>Manual steps run; each one fails the verdict ("manual step needed").</summary>
    public List<string> ManualSteps { get; } = [];

    public DateTimeOffset Now => time.GetUtcNow();
}
