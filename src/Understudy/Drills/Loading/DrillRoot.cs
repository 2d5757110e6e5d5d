using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>The top of a drill file: every section read in one pass, the spec built only when all are clean.</summary>
internal static class DrillRoot
{
    public static readonly YamlFile.Shape Shape = new("drill", "drill.yaml", "a mapping with name, probes and faults");

    private static readonly KeySet Keys = new([
        "name", "description", "environment", "service", "controller", "targets", "probes",
        "steady_state", "faults", "recovery", "verify", "rollback", "stop_conditions", "load",
    ]);

    public static DrillSpec? Read(ConfigReader reader, YamlMappingNode root, string sourceText, string sourcePath, Func<string?> networkRefusal)
    {
        ConfigMapping top = ConfigMapping.Read(reader, root, "", Keys);
        int before = reader.ErrorCount;

        DrillHeader? header = DrillHeaderSection.Read(top);
        // Steps that talk to the controller are judged on whether one is named at all, so a mistyped URL is
        // reported once, at controller, and not again at every step that needs it.
        var steps = new StepContext(reader, HasController: top.IsSet("controller"), networkRefusal);

        DrillTargets? targets = DrillTargetsSection.Read(top);
        var probes = ProbesSection.Read(top);
        var load = LoadSection.Read(top, probes?.Select(p => p.Name) ?? []);
        SteadyStateSpec? steadyState = PhaseSections.SteadyState(top);
        var faults = StepsSection.Read(top, StepsSection.Faults, steps);
        RecoverySpec? recovery = PhaseSections.Recovery(top);
        var verify = StepsSection.Read(top, StepsSection.Verify, steps);
        var rollback = StepsSection.Read(top, StepsSection.Rollback, steps);
        StopConditions? stop = StopConditionsSection.Read(top);

        if (reader.ErrorCount > before || header is null || targets is null || probes is not { } p || steadyState is null
            || faults is not { } f || recovery is null || verify is not { } v || rollback is not { } r || stop is null || load is not { } l)
            return null;
        return new DrillSpec(header.Name, header.Description, header.Environment, header.Service, header.Controller,
            targets, p, steadyState, f, recovery, v, r, stop, sourceText, sourcePath) { Load = l };
    }
}
