using System.Collections.Immutable;
using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Journal;

namespace Understudy.IntegrationTests.Journal;

[Collection(RealProcesses.Name)]
public class SqliteJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, 123, TimeSpan.Zero);

    private static JournalEvent E(string service, string type, int second) => new(T0.AddSeconds(second), service, "web-a", 1, type, Actors.Controller,
        ImmutableDictionary<string, object?>.Empty.Add("reason", "because").Add("exit_code", 3L).Add("timed_out", false).Add("gone", null));

    [Fact]
    public async Task Append_ThenRead_RoundTripsEveryFieldWithIdsInOrder()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));

        var stored = await journal.AppendAsync([E("web", EventTypes.MemberDown, 0), E("db", EventTypes.MemberUp, 1)]);
        var read = await journal.ReadAsync(new JournalQuery());

        Assert.Equal([1L, 2L], stored.Select(e => e.Id));
        Assert.Equal(stored, read, (a, b) => a.Id == b.Id && a.Time == b.Time && a.Service == b.Service && a.Type == b.Type
            && a.Details.Count == b.Details.Count && a.Details.All(kv => Equals(kv.Value, b.Details[kv.Key])));
        Assert.Equal(T0, read[0].Time);
    }

    [Fact]
    public async Task Read_Filters_ByServiceTypeSinceAfterAndLimit()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));
        await journal.AppendAsync([E("web", EventTypes.MemberDown, 0), E("db", EventTypes.MemberDown, 1), E("web", EventTypes.MemberUp, 2), E("web", EventTypes.MemberDown, 3)]);

        Assert.Equal(3, (await journal.ReadAsync(new JournalQuery(Service: "web"))).Count);
        Assert.Equal(2, (await journal.ReadAsync(new JournalQuery(Service: "web", Type: EventTypes.MemberDown))).Count);
        Assert.Equal([3L, 4L], (await journal.ReadAsync(new JournalQuery(Since: T0.AddSeconds(2)))).Select(e => e.Id));
        Assert.Equal([3L], (await journal.ReadAsync(new JournalQuery(AfterId: 2, Limit: 1))).Select(e => e.Id));
    }

    [Fact]
    public async Task Journal_UpdateOrDelete_IsRefusedWhoeverOpensTheFile()
    {
        using var dir = new TempDir();
        await using (var journal = await SqliteJournal.OpenAsync(dir.File("j.db")))
            await journal.AppendAsync([E("web", EventTypes.MemberDown, 0)]);

        await using var raw = new SqliteConnection($"Data Source={dir.File("j.db")};Pooling=False");
        await raw.OpenAsync();
        foreach (string sql in new[] { "UPDATE events SET type = 'x'", "DELETE FROM events" })
        {
            await using var cmd = raw.CreateCommand();
            cmd.CommandText = sql;
            var e = await Assert.ThrowsAsync<SqliteException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("the journal is append-only", e.Message);
        }
    }

    [Fact]
    public async Task Reopen_KeepsEventsAndContinuesIds()
    {
        using var dir = new TempDir();
        await using (var first = await SqliteJournal.OpenAsync(dir.File("j.db")))
            await first.AppendAsync([E("web", EventTypes.MemberDown, 0)]);

        await using var second = await SqliteJournal.OpenAsync(dir.File("j.db"));
        var stored = await second.AppendAsync([E("web", EventTypes.MemberUp, 1)]);

        Assert.Equal(2, stored[0].Id);
        Assert.Equal(2, (await second.ReadAsync(new JournalQuery())).Count);
    }

    [Fact]
    public void OpenReadOnly_NoFile_SaysWhere()
    {
        var e = Assert.Throws<JournalException>(() => SqliteJournal.OpenReadOnly("/nonexistent/j.db"));
        Assert.Equal("no journal at /nonexistent/j.db: has the controller run with this config?", e.Message);
    }
}
