using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Packaging;

/// <summary>The published single file runs alone: no SDK, no build output, nothing beside it.</summary>
[Collection(RealProcesses.Name)]
public class SingleFileTests(SingleFileFixture published) : IClassFixture<SingleFileFixture>
{
    [Fact]
    public void Publish_WritesOneFile()
    {
        Assert.Equal(["understudy"], published.Published);
    }

    [Fact]
    public async Task Version_PrintsTheCommitItWasBuiltFrom()
    {
        var (gitExit, commit) = await SingleFileFixture.RunAsync("git", ["rev-parse", "--short", "HEAD"], SingleFileFixture.RepoRoot, null, TimeSpan.FromSeconds(30));
        Assert.Equal(0, gitExit);
        // The build marks a work tree that differs from the commit, untracked files included, as the csproj says.
        var (statusExit, changes) = await SingleFileFixture.RunAsync("git", ["status", "--porcelain"], SingleFileFixture.RepoRoot, null, TimeSpan.FromSeconds(30));
        Assert.Equal(0, statusExit);
        string dirty = changes.Trim().Length > 0 ? @"\.dirty" : "";

        var (exit, output) = await published.RunCopyAsync(TimeSpan.FromSeconds(60), "--version");

        Assert.Equal(0, exit);
        Assert.Matches($@"^\d+\.\d+\.\d+\+{commit.Trim()}{dirty}\s*$", output);
    }

    [Fact]
    public async Task Health_ReportsTheVersionThatVersionPrints()
    {
        int api = FreePort.Next();
        File.WriteAllText(Path.Combine(published.RunDir, "understudy.yaml"), $$"""
            controller: { api: 127.0.0.1:{{api}}, journal: health.db }
            services:
              web:
                kind: http
                members:
                  - { name: web-a, address: 127.0.0.1:{{FreePort.Next()}} }
                  - { name: web-b, address: 127.0.0.1:{{FreePort.Next()}} }
                primary: web-a
                traffic: { proxy: { listen: 127.0.0.1:{{FreePort.Next()}} } }
            """);
        var (_, version) = await published.RunCopyAsync(TimeSpan.FromSeconds(60), "--version");

        using var serve = published.StartCopy("serve", "--config", "understudy.yaml");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}"), Timeout = TimeSpan.FromSeconds(5) };
            string healthVersion = await Eventually.GetAsync(async () =>
            {
                try { return (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("version").GetString(); }
                catch (HttpRequestException) { return null; }
            }, "/health answers");

            Assert.Equal(version.Trim(), healthVersion);
        }
        finally { await ProcessStop.TermThenKillAsync(serve, TimeSpan.FromSeconds(10)); }
    }

    [Fact]
    public async Task Demo_RunsFromTheCopyAlone_WithOnlyLinuxNativeLibraries()
    {
        var (exit, output) = await published.RunCopyAsync(TimeSpan.FromMinutes(3), "demo");

        Assert.True(exit == 0, $"demo exited {exit}:\n{output}");
        Assert.Contains("report.html", output);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(published.RunDir, "artifacts"), "report.html", SearchOption.AllDirectories));
        // The natives it extracted: SQLite's (and Mono.Unix's) for Linux, none for Windows or macOS.
        string[] natives = [.. Directory.EnumerateFiles(published.ExtractDir, "*", SearchOption.AllDirectories).Select(Path.GetFileName)!];
        Assert.Contains("libe_sqlite3.so", natives);
        Assert.DoesNotContain(natives, n => n.EndsWith(".dll", StringComparison.Ordinal) || n.EndsWith(".dylib", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("understudy dri", "drill")]
    [InlineData("understudy drill r", "report request run run-all")]
    public async Task BashCompletion_CompletesFromAPrefix(string line, string expected)
    {
        // The script the README tells users to source, run by bash as it would on Tab after the line.
        string tab = $$"""
            source <(understudy completion bash)
            COMP_LINE="{{line}}"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=({{line}}); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _understudy_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;

        var (exit, output) = await published.RunCopyAsync(TimeSpan.FromSeconds(60), "completion", "bash");
        Assert.Equal(0, exit);
        Assert.Contains("complete -o default -F _understudy_complete understudy", output);

        var (bashExit, completions) = await SingleFileFixture.RunAsync("/bin/bash", ["-c", tab], published.RunDir,
            new Dictionary<string, string?> { ["PATH"] = published.RunDir + ":/usr/bin:/bin", ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = published.ExtractDir },
            TimeSpan.FromSeconds(60));
        Assert.Equal(0, bashExit);
        Assert.Equal(expected, string.Join(' ', completions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)));
    }
}
