using System.Text.Json;
using Understudy.Drills.Import;

namespace Understudy.Tests.Drills.Import;

/// <summary>The pieces of an import on their own: which kills name one process, and how ${name} is substituted.</summary>
public sealed class ChaosToolkitPartsTests
{
    [Theory]
    [InlineData("kill", new[] { "4242" }, "pid 4242 TERM")]
    [InlineData("/bin/kill", new[] { "-9", "4242" }, "pid 4242 KILL")]
    [InlineData("kill", new[] { "-s", "SIGHUP", "17" }, "pid 17 HUP")]
    [InlineData("kill", new[] { "-USR1", "17" }, "pid 17 USR1")]
    [InlineData("pkill", new[] { "-F", "/run/web.pid" }, "pidfile /run/web.pid TERM")]
    [InlineData("pkill", new[] { "--signal", "KILL", "--pidfile", "web.pid" }, "pidfile web.pid KILL")]
    [InlineData("kill", new[] { "-9", "17", "18" }, null)]          // two processes
    [InlineData("kill", new[] { "--", "-17" }, null)]               // a process group
    [InlineData("kill", new[] { "-WINCH", "17" }, null)]            // a signal a drill cannot send
    [InlineData("kill", new[] { "-9", "$(pgrep web)" }, null)]
    [InlineData("pkill", new[] { "-f", "web-worker" }, null)]       // a pattern: whatever matches
    [InlineData("pkill", new[] { "-F", "web.pid", "web" }, null)]
    [InlineData("killall", new[] { "web" }, null)]
    public void Recognize_OnlyAKillOfOnePidOrPidfile(string program, string[] args, string? expected)
    {
        var target = KillCommands.Recognize(program, args);

        Assert.Equal(expected, target is null ? null : $"{target.Key} {target.Value} {target.Signal}");
    }

    [Theory]
    [InlineData("-9 4242", "pid 4242 KILL")]
    [InlineData("-TERM $(cat run/web-a.pid)", "pidfile run/web-a.pid TERM")]
    [InlineData("-KILL `cat /run/web-a.pid`", "pidfile /run/web-a.pid KILL")]
    [InlineData("-9 $(pgrep -f web)", null)]
    [InlineData("-9 4242; rm -rf /tmp/x", null)]
    public void RecognizeShellLine_ReadsCatOfAPidfile(string line, string? expected)
    {
        var target = KillCommands.RecognizeShellLine("kill", line);

        Assert.Equal(expected, target is null ? null : $"{target.Key} {target.Value} {target.Signal}");
    }

    [Theory]
    [InlineData("${base}/health", "http://web:8080/health")]
    [InlineData("$base/health", "http://web:8080/health")]
    [InlineData("Bearer ${token}", "Bearer ${API_TOKEN}")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("literal $${base}", "literal $${base}")]              // Chaos Toolkit's literal ${base}, in the drill's own escape
    [InlineData("${template}", "$${NOT_ENV}")]                       // a value that looks like a reference stays text
    [InlineData("echo $HOME", "echo $HOME")]                         // unknown $name: left for the shell, as Chaos Toolkit leaves it
    public void Resolve_SubstitutesConfigurationAndKeepsTheDrillsOwnReferencesApart(string written, string expected)
    {
        var variables = Variables(out _);

        Assert.Equal(expected, variables.Resolve(written, "method[0].provider.arguments"));
    }

    [Fact]
    public void Resolve_UnknownBracedName_BecomesAnEnvironmentReferenceWithANote()
    {
        var variables = Variables(out ImportNotes notes);

        Assert.Equal("${region}", variables.Resolve("${region}", "method[0].provider.arguments"));
        Assert.Equal(
            ["method[0].provider.arguments: ${region} is in neither configuration nor secrets (a --var of chaos run?): written as the environment variable ${region}"],
            notes.All.Select(n => n.ToString()));
    }

    [Theory]
    [InlineData("5", "5s")]
    [InlineData("0.25", "250ms")]
    [InlineData("\"${pause}\"", "${PAUSE_S}s")]
    [InlineData("0", null)]
    public void Duration_SecondsAsADrillDuration(string json, string? expected)
    {
        var variables = Variables(out _);

        Assert.Equal(expected, variables.Duration(JsonDocument.Parse(json).RootElement, "method[0].pauses.after"));
    }

    [Fact]
    public void LiteralSecret_IsNotCopiedIntoTheDrill()
    {
        var notes = new ImportNotes();
        using var experiment = JsonDocument.Parse("""{ "secrets": { "db": { "password": "hunter2" } } }""");

        string resolved = ChaosVariables.Read(experiment.RootElement, notes).Resolve("--password=${password}", "method[0].provider.arguments");

        Assert.Equal("--password=${password}", resolved);
        Assert.Equal(
            ["secrets.db.password: not converted: a secret written in the experiment is not copied into the drill file; written as the environment variable ${password}, to be set when the drill runs"],
            notes.All.Select(n => n.ToString()));
    }

    private static ChaosVariables Variables(out ImportNotes notes)
    {
        notes = new ImportNotes();
        using var experiment = JsonDocument.Parse("""
            {
              "configuration": {
                "base": "http://web:8080", "template": "${NOT_ENV}", "pause": { "type": "env", "key": "PAUSE_S" }
              },
              "secrets": { "api": { "token": { "type": "env", "key": "API_TOKEN" } } }
            }
            """);
        return ChaosVariables.Read(experiment.RootElement, notes);
    }
}
