using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Understudy.Journal;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13 item 2: a journal that takes no writes is a condition with a start, a cause and an end, not a log line.</summary>
public class JournalHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Failures_FirstOneChangesTheConditionOnceAndTheRestAreCounted()
    {
        var time = new FakeTimeProvider(T0);
        var health = new JournalHealth(time);
        var began = new List<JournalCondition>();
        health.BecameUnavailable += began.Add;

        health.WriteFailed(new SqliteException("full", 13));
        time.Advance(TimeSpan.FromSeconds(2));
        health.WriteFailed(new SqliteException("full", 13));
        health.WriteFailed(new SqliteException("io", 10));

        Assert.Equal(new JournalCondition(false, "the disk is full (SQLite error 13)", T0, 1), Assert.Single(began));
        Assert.Equal(new JournalCondition(false, "the disk is full (SQLite error 13)", T0, 3), health.Now);
    }

    [Fact]
    public void Success_AfterFailures_RecoversOnceWithTheOutagesCountAndKeepsTheTotal()
    {
        var health = new JournalHealth(new FakeTimeProvider(T0));
        var ended = new List<JournalCondition>();
        health.Recovered += ended.Add;
        health.WriteSucceeded();
        health.WriteFailed(new SqliteException("ro", 8));
        health.WriteFailed(new SqliteException("ro", 8));

        health.WriteSucceeded();
        health.WriteSucceeded();
        health.WriteFailed(new IOException("gone"));

        Assert.Equal(new JournalCondition(false, "the journal file is read-only (SQLite error 8)", T0, 2), Assert.Single(ended));
        Assert.Equal(new JournalCondition(false, "an I/O error", T0, 3), health.Now);
    }

    [Fact]
    public void Describe_NeverShowsTheExceptionsMessage()
    {
        string cause = JournalHealth.Describe(new UnauthorizedAccessException("Access to the path '/var/lib/understudy/j.db' is denied."));

        Assert.Equal("permission denied", cause);
        Assert.DoesNotContain("/var", JournalHealth.Describe(new InvalidOperationException("/var/lib/x")));
    }
}
