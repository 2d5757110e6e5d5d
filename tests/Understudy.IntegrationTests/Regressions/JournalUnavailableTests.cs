using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13 items 2 and 3: a journal that takes no writes stalled the controller silently (/health 200, status
/// steady, no alert). Now it says so everywhere, alerts without the journal, keeps the proxy running, journals the
/// outage once it writes again — and the stalled decision goes through then, nothing lost.
/// </summary>
[Collection(RealProcesses.Name)]
public class JournalUnavailableTests
{
    [Fact]
    public async Task ImmutableJournal_SaysSoEverywhereAlertsAndTheStalledDecisionLandsOnRecovery()
    {
        await using var disk = await JournalDisk.CreateAsync();
        await using var sink = await HttpSink.StartAsync();
        await using var pair = await WebPair.StartAsync(journal: disk.File("journal.db"), topLevel: $$"""
            alerts:
              - webhook: { url: "{{sink.Url("hook")}}" }
            """);
        await using var controller = await pair.StartControllerAsync();

        await disk.ImmutableAsync(true, "journal.db", "journal.db-wal");
        pair.B.Kill(); // the decision to journal: web-b down

        string body = await Eventually.GetAsync(async () =>
        {
            using var r = await controller.Http.GetAsync("/health");
            return r.StatusCode == HttpStatusCode.ServiceUnavailable ? await r.Content.ReadAsStringAsync() : null;
        }, "/health answers 503");
        JsonElement health = JsonDocument.Parse(body).RootElement;
        Assert.Equal("journal_unavailable", health.GetProperty("status").GetString());
        Assert.Contains("SQLite error", health.GetProperty("cause").GetString());
        Assert.DoesNotContain(disk.Mount, health.GetRawText());

        var status = await controller.TryStatusAsync();
        Assert.Equal("journal_unavailable", status!.Services.Single().Phase);
        Assert.False(status.Controller.Journal!.Writable);
        string metrics = await controller.Http.GetStringAsync("/metrics");
        Assert.Contains("understudy_journal_writable 0", metrics);
        Assert.Matches(@"understudy_journal_write_failures_total [1-9]", metrics);

        // Told straight to the channel, not through the journal; and the proxy still carries traffic to web-a.
        await Eventually.TrueAsync(() => Task.FromResult(Kinds(sink).Contains(EventTypes.JournalUnavailable)), "journal.unavailable delivered");
        JsonElement alert = sink.Received("hook").First(b => b.GetProperty("kind").GetString() == EventTypes.JournalUnavailable);
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(pair.ProxyUrl)).StatusCode);

        await disk.ImmutableAsync(false, "journal.db", "journal.db-wal");

        await Eventually.TrueAsync(async () => (await controller.Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health 200 again");
        var recovered = Assert.Single(await Eventually.GetAsync(async () =>
            await controller.EventsAsync(type: EventTypes.JournalRecovered) is { Count: > 0 } found ? found : null, "journal.recovered journaled"));
        Assert.True(long.Parse(recovered.Details["failed_writes"]!.ToString()!) >= 1);
        Assert.Contains(await controller.EventsAsync("web", EventTypes.MemberDown), e => e.Member == "web-b");
        await Eventually.TrueAsync(() => Task.FromResult(Kinds(sink).Contains(EventTypes.JournalRecovered)), "journal.recovered delivered");
    }

    [Fact]
    public async Task FileSystemFails_ProxyKeepsRunningAndSigtermEndsTheStalledControllerWithinItsDeadline()
    {
        await using var disk = await JournalDisk.CreateAsync();
        await using var pair = await WebPair.StartAsync(journal: disk.File("journal.db"));
        await using var controller = await pair.StartControllerAsync();

        disk.ShutDown();
        pair.B.Kill();

        await Eventually.TrueAsync(async () => (await controller.Http.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable, "/health answers 503");
        Assert.False(controller.Process.HasExited);
        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(pair.ProxyUrl)).StatusCode);

        // No hooks: the host's deadline is its 10 s margin. Generous bound, as timing in tests is.
        var stopping = Stopwatch.StartNew();
        await controller.StopAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"took {stopping.Elapsed.TotalSeconds:0.0} s to exit");
    }

    private static List<string?> Kinds(HttpSink sink) => [.. sink.Received("hook").Select(b => b.GetProperty("kind").GetString())];
}
