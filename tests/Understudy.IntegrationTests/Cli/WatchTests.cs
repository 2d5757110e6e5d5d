using System.Diagnostics;
using System.Text;
using Understudy.Api;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cli;

/// <summary>Issue 15: <c>understudy watch --after-deploy</c> against a real controller and two sample apps.</summary>
[Collection(RealProcesses.Name)]
public sealed class WatchTests
{
    /// <summary>A rollback stand-in, run as <c>sh SCRIPT ARGS</c>: appends its arguments to a file, one line a run.</summary>
    private static async Task<(string Script, string Record)> RollbackScriptAsync(WebPair pair)
    {
        string script = pair.Dir.File("rollback.sh"), record = pair.Dir.File("rolled-back.txt");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"$@\" >> '{record}'\necho rolled back\n");
        return (script, record);
    }

    private static string[] Watch(WebPair pair, string service, string duration, string rollback) =>
    [
        "watch", service, "--after-deploy", "--for", duration, "--interval", "200ms", "--api", $"http://127.0.0.1:{pair.ApiPort}",
        "--probe", pair.ProxyUrl.ToString(), "--rollback", rollback,
    ];

    [Fact]
    public async Task Watch_HealthyForTheWindow_ExitsZero_RunsNoRollback_AndAnUnknownServiceIsBadInput()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        var (script, record) = await RollbackScriptAsync(pair);

        var unknown = await CliRunner.RunAsync(Watch(pair, "shop", "3s", $"sh {script} shop"));
        Assert.True(unknown.ExitCode == 2, $"exit {unknown.ExitCode}\n{unknown.Out}\n{unknown.Err}");
        Assert.Contains("no service 'shop' (services: web)", unknown.Err);
        Assert.DoesNotContain("   at ", unknown.Err);

        var r = await CliRunner.RunAsync(Watch(pair, "web", "3s", $"sh {script} web \"v1 2\""));

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Out}\n{r.Err}");
        Assert.Contains("watching web for 3s (epoch 1, primary web-a, steady", r.Out);
        Assert.Contains("web stayed healthy for 3s: the deploy stays", r.Out);
        Assert.False(File.Exists(record), "the rollback ran");
        Assert.Empty(await controller.EventsAsync("web", "deploy.rolled_back"));
    }

    [Fact]
    public async Task Watch_PrimaryKilledDuringTheWindow_RunsTheRollbackOnce_ExitsThree_AndJournalsIt()
    {
        await using var pair = await WebPair.StartAsync();
        await using var controller = await pair.StartControllerAsync();
        var (script, record) = await RollbackScriptAsync(pair);

        var psi = SelfProcess.StartInfo(Watch(pair, "web", "60s", $"sh {script} web \"v1 2\""));
        psi.Environment["NO_COLOR"] = "1";
        using var watch = new Process { StartInfo = psi };
        var output = new StringBuilder();
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("watching web", StringComparison.Ordinal)) watching.TrySetResult();
        };
        watch.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        watch.Start();
        watch.BeginOutputReadLine();
        watch.BeginErrorReadLine();
        try
        {
            // The watch has read its baseline once it says it is watching; only then is the primary killed.
            await watching.Task.WaitAsync(Eventually.Deadline);
            pair.A.Kill();
            using var cts = new CancellationTokenSource(Eventually.Deadline);
            await watch.WaitForExitAsync(cts.Token);
        }
        finally
        {
            // Only the process this test started, by its handle.
            if (!watch.HasExited) watch.Kill(entireProcessTree: true);
        }
        watch.WaitForExit(); // the last lines of the redirected output
        string text;
        lock (output) text = output.ToString();

        Assert.True(watch.ExitCode == 3, $"exit {watch.ExitCode}\n{text}");
        Assert.Contains("gate breached after", text);
        Assert.Contains($"rolling back: sh {script} web \"v1 2\"", text);
        Assert.Contains("  | rolled back", text);
        Assert.Equal(["web v1 2"], await File.ReadAllLinesAsync(record));

        EventView e = Assert.Single(await controller.EventsAsync("web", "deploy.rolled_back"));
        Assert.True(((System.Text.Json.JsonElement)e.Details["succeeded"]!).GetBoolean());
        Assert.Contains($"journaled as deploy.rolled_back (event {e.Id})", text);
        Assert.Equal(["sh", script, "web", "v1 2"], ((System.Text.Json.JsonElement)e.Details["command"]!).EnumerateArray().Select(a => a.GetString()!));
    }
}
