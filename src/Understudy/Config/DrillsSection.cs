using System.Collections.Immutable;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// Top-level <c>drills: [ { file, cron, timezone?, environment, jitter? } ]</c>: the drills the controller runs on a
/// schedule. Each drill file is loaded here, so a broken or mismatched one stops the config, not a run at 3 a.m.
/// </summary>
internal static class DrillsSection
{
    private static readonly KeySet Keys = new(["file", "cron", "timezone", "environment", "jitter"]);

    private static readonly Dictionary<string, DrillEnvironment> Environments = new()
    {
        ["staging"] = DrillEnvironment.Staging,
        ["production"] = DrillEnvironment.Production,
    };

    /// <param name="controller">The controller as read, or null when it had errors (then host-local steps are not judged).</param>
    /// <param name="services">The services as read, or null when they had errors (then the drill's service is not looked up).</param>
    public static ImmutableArray<DrillScheduleSpec>? Read(ConfigMapping top, ControllerSpec? controller, ImmutableArray<ServiceSpec>? services)
    {
        ConfigReader reader = top.Reader;
        if (!top.IsSet("drills")) return [];
        if (reader.Sequence(top.Optional("drills")!, "drills", "a sequence of scheduled drills, e.g. [ { file: drills/web.yaml, cron: \"0 3 * * MON\", environment: staging } ]") is not { } list)
            return null;
        int before = reader.ErrorCount;
        var schedules = ImmutableArray.CreateBuilder<DrillScheduleSpec>();
        for (int i = 0; i < list.Children.Count; i++)
            if (reader.Mapping(list.Children[i], $"drills[{i}]", Keys) is { } m && Entry(m, controller, services) is { } spec) schedules.Add(spec);
        return reader.ErrorCount == before ? schedules.ToImmutable() : null;
    }

    private static DrillScheduleSpec? Entry(ConfigMapping m, ControllerSpec? controller, ImmutableArray<ServiceSpec>? services)
    {
        ConfigReader reader = m.Reader;
        string? file = m.Required("file", "the drill file to run, e.g. drills/web-crash.yaml") is { } f ? reader.FilePath(f, m.KeyOf("file")) : null;
        string? cron = CronValues.ReadCron(m);
        string? zone = CronValues.ReadZone(m);
        DrillEnvironment? environment = m.Required("environment", "the drill file's environment, staging or production") is { } e
            ? reader.Choice(e, m.KeyOf("environment"), Environments) : null;
        TimeSpan? jitter = m.Optional("jitter") is { } j ? reader.Duration(j, m.KeyOf("jitter"), zeroAllowed: true) : TimeSpan.Zero;
        DrillSpec? drill = file is null ? null : DrillFile(m, file, controller, services);
        if (drill is null) return null;
        if (environment is { } env && env != drill.Environment)
        {
            reader.Error(m.Optional("environment")!, m.KeyOf("environment"),
                $"{Word(env)} does not match the drill file's environment ({Word(drill.Environment)} in {file})");
            return null;
        }
        return file is not null && cron is not null && zone is not null && environment is { } ok && jitter is { } delay
            ? new DrillScheduleSpec(file, cron, zone, ok, delay, drill.Name, drill.Service!)
            : null;
    }

    /// <summary>The drill file, loaded and fit to run unattended from the controller; null after recording why at <c>file</c>.</summary>
    private static DrillSpec? DrillFile(ConfigMapping m, string file, ControllerSpec? controller, ImmutableArray<ServiceSpec>? services)
    {
        YamlNode at = m.Optional("file")!;
        string key = m.KeyOf("file");
        DrillResult loaded = DrillLoader.Load(file);
        string? whyNot = loaded.Spec is not { } drill
            ? $"not a valid drill file: {loaded.Errors[0]}" + (loaded.Errors.Count > 1 ? $" (and {loaded.Errors.Count - 1} more; see understudy drill validate {file})" : "")
            : drill.Service is null || drill.Controller is null
                ? $"{file} names no controller and service: a scheduled drill needs both, so the controller can check the service before the run, lock it, and journal the verdict"
            : services is { } all && all.All(s => s.Name != drill.Service)
                ? $"{file} is a drill of service '{drill.Service}', which this config does not have (services: {string.Join(", ", all.Select(s => s.Name))})"
            : Unattended(drill, controller);
        if (whyNot is null) return loaded.Spec;
        m.Reader.Error(at, key, whyNot);
        return null;
    }

    /// <summary>Why a drill cannot run from the controller with nobody at its terminal; null when it can.</summary>
    private static string? Unattended(DrillSpec drill, ControllerSpec? controller)
    {
        DrillStep[] steps = [.. drill.Faults, .. drill.Verify, .. drill.Rollback];
        if (steps.Any(s => s is ManualStep))
            return $"{drill.SourcePath} has a manual step: a scheduled drill runs with nobody to confirm it";
        // The leader may run on any instance's host; a signal reaches only processes on the one it runs on.
        if (controller?.Coordination is not null && steps.Any(s => s is KillProcess))
            return $"{drill.SourcePath} has a kill_process step: with several controllers a scheduled drill runs on whichever instance leads, so only steps that work from any host may be used (proxy, exec)";
        return null;
    }

    private static string Word(DrillEnvironment e) => e.ToString().ToLowerInvariant();
}
