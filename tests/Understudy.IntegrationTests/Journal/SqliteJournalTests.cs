using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Journal;

namespace Understudy.IntegrationTests.Journal;

[Collection(RealProcesses.Name)]
public class SqliteJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, 123, TimeSpan.Zero);

    private static JournalEvent E(string service, string type, int second)
    {
        JournalEvent e = type == EventTypes.MemberDown ? new MemberDown("refused", "active") : new MemberUp("ok", "active");
        return e with { Time = T0.AddSeconds(second), Service = service, Member = "web-a", Epoch = 1, Reason = "because" };
    }

    [Fact]
    public async Task Append_ThenRead_RoundTripsEveryFieldWithIdsInOrder()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));

        var stored = await journal.AppendAsync([E("web", EventTypes.MemberDown, 0), E("db", EventTypes.MemberUp, 1)]);
        var read = await journal.ReadAsync(new JournalQuery());

        Assert.Equal([1L, 2L], stored.Select(e => e.Id));
        Assert.Equal(stored, read);
        Assert.Equal(T0, read[0].Time);
    }

    [Fact]
    public async Task Read_TypedRecordWithListsAndNulls_RoundTripsField()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));
        var hook = new HookFailed { Trigger = "fence", Index = 1, Command = "stop pg1", ExitCode = null, TimedOut = true, DurationMs = 30_000, Severity = "critical" }
            with { Time = T0, Service = "db", Member = "pg2", Epoch = 3, Reason = "killed" };
        var executing = new RequestExecuting("r-1", ["bob", "carol"], "pg2") with { Time = T0, Service = "db", Epoch = 3, Actor = "alice", Reason = "approved" };

        await journal.AppendAsync([hook, executing]);
        var read = await journal.ReadAsync(new JournalQuery());

        Assert.Equal(hook with { Id = 1 }, read[0]);
        var back = Assert.IsType<RequestExecuting>(read[1]);
        Assert.Equal(("r-1", "pg2", "alice"), (back.RequestId, back.To, back.Actor));
        Assert.Equal("bob,carol", string.Join(",", back.ApprovedBy));
    }

    [Fact]
    public async Task Mirror_TheSameLogEntryTwice_StoresItOnceNumberedByItsRevision()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));
        Assert.Equal(0, await journal.MirroredRevisionAsync());
        var a = new MirroredEvent(E("web", EventTypes.MemberDown, 0), "log/web/000000000001", 7);
        var b = new MirroredEvent(E("web", EventTypes.MemberUp, 1), "log/web/000000000002", 9, Index: 1);

        var first = await journal.MirrorAsync([a]);
        var again = await journal.MirrorAsync([a, b]);

        Assert.Equal([(7000L, true)], first.Select(m => (m.Event.Id, m.Added)));
        Assert.Equal([(7000L, false), (9001L, true)], again.Select(m => (m.Event.Id, m.Added)));
        Assert.Equal(2, (await journal.ReadAsync(new JournalQuery())).Count);
        Assert.Equal(9, await journal.MirroredRevisionAsync());
    }

    /// <summary>Journals written before typed events (no "v") read as typed events; a type this version does not know is kept, not dropped.</summary>
    [Fact]
    public async Task Read_RowsOfEarlierAndLaterVersions_AreReadOrKeptWhole()
    {
        using var dir = new TempDir();
        await using (await SqliteJournal.OpenAsync(dir.File("j.db"))) { }
        await using (var raw = new SqliteConnection($"Data Source={dir.File("j.db")};Pooling=False"))
        {
            await raw.OpenAsync();
            await using var cmd = raw.CreateCommand();
            cmd.CommandText = """
                INSERT INTO events (time, service, member, epoch, type, actor, details) VALUES
                ('2026-11-22T12:00:00.000Z', 'db', 'pg1', 2, 'sync.changed', 'controller', '{"reason":"names pg2","standbys":"pg2,pg3"}'),
                ('2026-11-22T12:00:01.000Z', 'db', 'pg1', 2, 'sync.changed', 'controller', '{"reason":"setting it failed"}'),
                ('2026-11-22T12:00:02.000Z', 'db', 'pg2', 3, 'failover.started', 'alice', '{"reason":"pg1 down","from":"pg1","to":"pg2","request":"r-1"}'),
                ('2026-11-22T12:00:03.000Z', 'db', null, 3, 'quorum.lost', 'controller', '{"v":2,"reason":"from the future","voters":3}');
                """;
            await cmd.ExecuteNonQueryAsync();
        }
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));
        var read = await journal.ReadAsync(new JournalQuery());

        Assert.Equal("pg2,pg3", string.Join(",", Assert.IsType<SyncStandbysChanged>(read[0]).Standbys));
        Assert.IsType<SyncStandbysFailed>(read[1]);
        Assert.Equal(("pg1", "pg2", "r-1", "alice"), read[2] is FailoverStarted f ? (f.From, f.To, f.Request, f.Actor) : default);
        var unknown = Assert.IsType<UnknownEvent>(read[3]);
        Assert.Equal(("quorum.lost", 2, "from the future"), (unknown.Type, unknown.Version, unknown.Reason));
        Assert.Contains("\"voters\":3", unknown.Json);
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
    public async Task Read_NewestFirst_PagesBackwardsWithBeforeAndTheSameFilters()
    {
        using var dir = new TempDir();
        await using var journal = await SqliteJournal.OpenAsync(dir.File("j.db"));
        await journal.AppendAsync([.. Enumerable.Range(0, 7).Select(i => E(i % 3 == 0 ? "db" : "web", i % 2 == 0 ? EventTypes.MemberDown : EventTypes.MemberUp, i))]);

        Assert.Equal([7L, 6L, 5L], (await journal.ReadAsync(new JournalQuery(Limit: 3, NewestFirst: true))).Select(e => e.Id));
        Assert.Equal([4L, 3L], (await journal.ReadAsync(new JournalQuery(Limit: 2, BeforeId: 5, NewestFirst: true))).Select(e => e.Id));
        // ids 2, 3, 5, 6 are web; of those 3 and 5 are member.down (seconds 2 and 4)
        Assert.Equal([5L, 3L], (await journal.ReadAsync(new JournalQuery(Service: "web", Type: EventTypes.MemberDown, NewestFirst: true))).Select(e => e.Id));
        Assert.Equal([3L], (await journal.ReadAsync(new JournalQuery(Service: "web", TypePrefix: "member.d", BeforeId: 5, NewestFirst: true))).Select(e => e.Id));
        Assert.Equal([7L, 6L], (await journal.ReadAsync(new JournalQuery(Since: T0.AddSeconds(5), NewestFirst: true))).Select(e => e.Id));
        Assert.Empty(await journal.ReadAsync(new JournalQuery(TypePrefix: "member.downs", NewestFirst: true)));
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
