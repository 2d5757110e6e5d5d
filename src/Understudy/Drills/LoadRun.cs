using Understudy.Commands;
using Understudy.Core.Drills;
using Understudy.Drills.Probes;

namespace Understudy.Drills;

/// <summary>
/// The drill's <c>load</c> section at work: built-in generators are open-loop probes paced at their rate, run
/// and stopped with the drill's probes; external tools start with them and are stopped (their process group
/// killed) when the probes stop, after recovery and verify. Neither decides recovery or the verdict.
/// </summary>
internal sealed class LoadRun(DrillContext ctx) : IDisposable
{
    /// <summary>A tool still running at the end of a drill is stopped with the probes; this bounds one whose drill never ends.</summary>
    private static readonly TimeSpan CommandLimit = TimeSpan.FromHours(24);

    private readonly List<(LoadSpec Spec, OpenLoopProbe Generator)> _generators =
        [.. ctx.Spec.Load.Where(l => l.Generator is not null).Select(l => (l, ProbeFactory.Create(l.Generator!, ctx.Time)))];
    private readonly List<(LoadSpec Spec, Task<CommandOutcome> Run)> _commands = [];
    private readonly CancellationTokenSource _stopCommands = new();

    public async Task PrepareAsync(CancellationToken ct)
    {
        foreach (var (_, generator) in _generators) await generator.PrepareAsync(ct);
    }

    /// <summary>Runs every load until <paramref name="stop"/>.</summary>
    public Task RunAsync(CancellationToken stop)
    {
        foreach (LoadSpec spec in ctx.Spec.Load.Where(l => l.Generator is null))
            _commands.Add((spec, ctx.Commands.RunAsync(spec.Command, CommandLimit, _stopCommands.Token)));
        stop.Register(_stopCommands.Cancel);
        return Task.WhenAll(_generators.Select(g => g.Generator.RunAsync(stop)).Concat(_commands.Select(c => (Task)c.Run)));
    }

    public IReadOnlyList<LoadRecord> Records() =>
    [
        .. ctx.Spec.Load.Select(spec => _generators.FirstOrDefault(g => g.Spec == spec) is { Generator: { } g }
            ? new LoadRecord(spec, g.Samples)
            : _commands.FirstOrDefault(c => c.Spec == spec) is { Run: { IsCompletedSuccessfully: true } run }
                ? new LoadRecord(spec, [], run.Result.Interrupted ? $"ran {run.Result.Duration.TotalSeconds:0.#} s, stopped with the probes" : run.Result.Summary, run.Result.Output)
                : new LoadRecord(spec, [], "not started")),
    ];

    public void Dispose()
    {
        foreach (var (_, generator) in _generators) generator.Dispose();
        _stopCommands.Dispose();
    }
}
