using Understudy.Core.Drills;

namespace Understudy.Tests.Drills.Reports;

/// <summary>
/// Field-by-field equality of two reports. Record equality alone compares lists and dictionaries by
/// reference, so each collection is compared element-wise and then blanked before comparing the rest.
/// </summary>
internal static class ReportAssert
{
    public static void Equal(DrillReport expected, DrillReport actual)
    {
        Assert.Equal(expected.Criteria, actual.Criteria);
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.Phases, actual.Phases);
        Assert.Equal(expected.Events, actual.Events);
        Assert.Equal(expected.Configuration, actual.Configuration);
        Assert.Equal(expected.Issues, actual.Issues);
        Assert.Equal(expected.Probes.Count, actual.Probes.Count);
        for (int i = 0; i < expected.Probes.Count; i++)
        {
            ProbeResult e = expected.Probes[i], a = actual.Probes[i];
            Assert.Equal(e.ErrorsByKind.OrderBy(kv => kv.Key), a.ErrorsByKind.OrderBy(kv => kv.Key));
            Assert.Equal(e with { ErrorsByKind = NoErrors }, a with { ErrorsByKind = NoErrors });
        }
        Assert.Equal(expected.Load.Select(l => l with { Windows = [] }), actual.Load.Select(l => l with { Windows = [] }));
        Assert.Equal(expected.Load.SelectMany(l => l.Windows), actual.Load.SelectMany(l => l.Windows));
        Assert.Equal(Blank(expected), Blank(actual));
    }

    private static readonly IReadOnlyDictionary<string, int> NoErrors = new Dictionary<string, int>();

    private static DrillReport Blank(DrillReport r) => r with
    {
        Criteria = [], Probes = [], Steps = [], Phases = [], Events = [], Configuration = [], Issues = [], Load = [],
    };

    public static void Equal(IReadOnlyList<(string Probe, ProbeSample Sample)> expected, IReadOnlyList<(string Probe, ProbeSample Sample)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }
}
