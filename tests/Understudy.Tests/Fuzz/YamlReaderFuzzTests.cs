using Understudy.Config;
using Understudy.Drills;
using Understudy.Tests.Testing;
using Xunit.Abstractions;

namespace Understudy.Tests.Fuzz;

/// <summary>
/// Issue 13, item 9: broken config, guard and drill files must come back as errors with their place, never as an
/// exception. Seeded (CsCheck_Seed, else a fixed seed) and bounded in cases and time: a CI run repeats the same
/// inputs and ends well within a minute.
/// </summary>
public class YamlReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.GetTempPath();

    [Fact]
    public void Seeds_AreValid_SoMutationsStartFromWorkingFiles()
    {
        Assert.All(FuzzSeeds.Configs, c => Assert.Empty(ConfigLoader.Parse(c, "understudy.yaml", Folder, FuzzSeeds.Environment).Errors));
        Assert.All(FuzzSeeds.Guards, g => Assert.Empty(GuardConfigLoader.Parse(g, "guard.yaml", Folder, FuzzSeeds.Environment).Errors));
        Assert.All(FuzzSeeds.Drills, d => Assert.Empty(DrillLoader.Parse(d, "drill.yaml", Folder, FuzzSeeds.Environment).Errors));
    }

    [Fact]
    public void Config_MutatedFiles_AreReadOrReportedWithTheirPlace() =>
        YamlMutations.Of(FuzzSeeds.Configs).SampleSeeded(text =>
        {
            ConfigResult r = ConfigLoader.Parse(text, "understudy.yaml", Folder, FuzzSeeds.Environment);
            AssertReadOrReported(text, "understudy.yaml", r.Spec, r.Errors);
        }, cases: 4000, budget: TimeSpan.FromSeconds(12), output.WriteLine, Print);

    [Fact]
    public void Guard_MutatedFiles_AreReadOrReportedWithTheirPlace() =>
        YamlMutations.Of(FuzzSeeds.Guards).SampleSeeded(text =>
        {
            GuardConfigResult r = GuardConfigLoader.Parse(text, "guard.yaml", Folder, FuzzSeeds.Environment);
            AssertReadOrReported(text, "guard.yaml", r.Spec, r.Errors);
        }, cases: 3000, budget: TimeSpan.FromSeconds(4), output.WriteLine, Print);

    [Fact]
    public void Drill_MutatedFiles_AreReadOrReportedWithTheirPlace() =>
        YamlMutations.Of(FuzzSeeds.Drills).SampleSeeded(text =>
        {
            DrillResult r = DrillLoader.Parse(text, "drill.yaml", Folder, FuzzSeeds.Environment);
            AssertReadOrReported(text, "drill.yaml", r.Spec, r.Errors);
        }, cases: 4000, budget: TimeSpan.FromSeconds(10), output.WriteLine, Print);

    /// <summary>A spec and no errors, or errors and no spec, each inside the file and saying something.</summary>
    private static void AssertReadOrReported(string text, string file, object? spec, IReadOnlyList<ConfigError> errors)
    {
        Assert.Equal(spec is null, errors.Count > 0);
        int lines = text.Count(c => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029') + 1;
        foreach (ConfigError e in errors)
        {
            Assert.Equal(file, e.File);
            Assert.InRange(e.Line, 1, lines + 1);
            Assert.True(e.Column >= 1, $"column {e.Column}: {e}");
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"no message: {e}");
            Assert.DoesNotContain("Exception", e.Message);
        }
    }

    /// <summary>The file as a C# string, ready to paste into a regression test.</summary>
    private static string Print(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
