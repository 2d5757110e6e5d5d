using Understudy.Commands;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Metrics;

/// <summary>
/// promtool (Debian package <c>prometheus</c>) checks deploy/prometheus. Missing promtool fails these tests
/// rather than skipping them: an unchecked rule file is how alerts silently stop firing.
/// </summary>
[Collection(RealProcesses.Name)]
public class PromtoolTests
{
    [Fact]
    public async Task AlertRules_PassPromtoolCheckRules()
    {
        string output = await PromtoolAsync(DeployFiles.PrometheusDir, "check", "rules", "alerts.yml");
        Assert.Contains("SUCCESS: 13 rules found", output);
    }

    [Fact]
    public async Task AlertRules_FireAsTheirUnitTestsExpect() =>
        Assert.Contains("SUCCESS", await PromtoolAsync(DeployFiles.PrometheusDir, "test", "rules", "alerts.test.yml"));

    [Fact]
    public async Task ExampleScrapeConfig_PassesPromtoolCheckConfig()
    {
        // promtool checks that the credentials file exists: give the copy one, as an operator would.
        using var dir = new TempDir();
        foreach (string file in new[] { "prometheus.yml", "alerts.yml" })
            File.Copy(Path.Combine(DeployFiles.PrometheusDir, file), dir.File(file));
        await File.WriteAllTextAsync(dir.File("understudy.token"), "a-viewer-token\n");

        Assert.Contains("is valid prometheus config file syntax", await PromtoolAsync(dir.Path, "check", "config", "prometheus.yml"));
    }

    private static async Task<string> PromtoolAsync(string directory, params string[] args)
    {
        CommandOutcome outcome = await new CommandRunner(directory, TimeProvider.System)
            .RunAsync(["promtool", .. args], TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.True(outcome.ExitCode is not null, $"promtool did not run ({outcome.Output}); install it: apt-get install -y prometheus");
        Assert.True(outcome.Succeeded, $"promtool {string.Join(' ', args)} {outcome.Summary}:\n{outcome.Output}");
        return outcome.Output;
    }
}
