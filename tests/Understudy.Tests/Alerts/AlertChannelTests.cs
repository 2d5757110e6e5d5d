using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Understudy.Alerts;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;
using Understudy.Tests.Testing;
using static Understudy.Tests.Alerts.AlertEvents;

namespace Understudy.Tests.Alerts;

/// <summary>Retries with backoff on the fake clock, and the journal record of each outcome.</summary>
public class AlertChannelTests
{
    private static readonly Uri Secret = new("https://hooks.example.com/services/T000/B000/XXXXSECRET");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly RecordingJournal _journal = new();
    private readonly JournalHealth _health;

    public AlertChannelTests() => _health = new JournalHealth(_clock);

    [Fact]
    public async Task Deliver_JournalTakesNoWrites_DeliversEveryNotificationWithoutWaitingToRecordIt()
    {
        _health.WriteFailed(new IOException("disk full"));
        var sender = new ScriptedSender(_clock);
        var spec = new SlackChannelSpec("alerts[0].slack", AlertTopics.All, TimeSpan.Zero, Secret);
        var channel = new AlertChannel(spec, sender, _journal, _health, _clock, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task worker = channel.RunAsync(stop.Token);

        channel.Post(Notify(EventTypes.MemberDown, "web-a"));
        channel.Post(Notify(EventTypes.FailoverStarted, "web-b"));
        channel.Complete();
        await worker.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, sender.Attempts.Count);
        Assert.True(_journal.Events.IsEmpty);
    }

    [Fact]
    public async Task Deliver_SinkFailsOnce_SecondAttemptAfterHalfASecondIsJournaledAsDelivered()
    {
        var sender = new ScriptedSender(_clock, new AlertDeliveryException("HTTP 500 Internal Server Error", retryable: true));

        JournalEvent record = await DeliverAsync(sender, Notify(EventTypes.FailoverStarted, "web-b"));

        Assert.Equal(2, sender.Attempts.Count);
        Assert.True(sender.Attempts[1] - sender.Attempts[0] >= TimeSpan.FromMilliseconds(500));
        Assert.Equal((EventTypes.AlertDelivered, "web", "web-b", 2L, Actors.Controller), (record.Type, record.Service, record.Member, record.Epoch, record.Actor));
        Assert.Equal(("alerts[0].slack", "failover.started", "7", "2"), (record.Detail("channel"), record.Detail("kind"), record.Detail("event_id"), record.Detail("attempts")));
        Assert.Equal("failover.started delivered to alerts[0].slack at attempt 2", record.Reason);
    }

    [Fact]
    public async Task Deliver_SinkKeepsFailing_FiveAttemptsWithDoublingWaitsThenDeliveryFailedWithoutTheSecret()
    {
        var failure = new AlertDeliveryException($"Connection refused ({Secret})", retryable: true);
        var sender = new ScriptedSender(_clock, failure, failure, failure, failure, failure);

        JournalEvent record = await DeliverAsync(sender, Notify(EventTypes.MemberDown, "web-a"));

        Assert.Equal(AlertDefaults.Attempts, sender.Attempts.Count);
        double[] waits = [.. sender.Attempts.Zip(sender.Attempts.Skip(1), (a, b) => (b - a).TotalSeconds)];
        Assert.All(waits.Zip([0.5, 1, 2, 4]), w => Assert.True(w.First >= w.Second, $"waited {w.First} s, expected ≥ {w.Second} s"));
        Assert.Equal(EventTypes.AlertDeliveryFailed, record.Type);
        Assert.Equal(("5", "Connection refused (***)"), (record.Detail("attempts"), record.Detail("error")));
        Assert.Equal("member.down not delivered to alerts[0].slack after 5 attempts: Connection refused (***)", record.Reason);
    }

    [Fact]
    public async Task Deliver_SinkRefusesThePayload_NoRetry()
    {
        var sender = new ScriptedSender(_clock, new AlertDeliveryException("HTTP 400 Bad Request", retryable: false));

        JournalEvent record = await DeliverAsync(sender, Notify(EventTypes.MemberDown, "web-a"));

        Assert.Single(sender.Attempts);
        Assert.Equal((EventTypes.AlertDeliveryFailed, "1", "HTTP 400 Bad Request"), (record.Type, record.Detail("attempts"), record.Detail("error")));
    }

    /// <summary>Posts one notification and moves the clock in small steps until the outcome is journaled.</summary>
    private async Task<JournalEvent> DeliverAsync(ScriptedSender sender, Notification n)
    {
        var spec = new SlackChannelSpec("alerts[0].slack", AlertTopics.All, TimeSpan.Zero, Secret);
        var channel = new AlertChannel(spec, sender, _journal, _health, _clock, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task worker = channel.RunAsync(stop.Token);
        channel.Post(n);
        for (int step = 0; _journal.Events.IsEmpty; step++)
        {
            Assert.True(step < 2000, "no outcome journaled");
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }
        channel.Complete();
        await worker;
        return Assert.Single(_journal.Events);
    }

    /// <summary>Throws the given failures in turn, then succeeds; notes the clock at each attempt.</summary>
    private sealed class ScriptedSender(TimeProvider clock, params Exception[] failures) : IAlertSender
    {
        public List<DateTimeOffset> Attempts { get; } = [];

        public Task SendAsync(Notification n, CancellationToken ct)
        {
            Attempts.Add(clock.GetUtcNow());
            return Attempts.Count <= failures.Length ? Task.FromException(failures[Attempts.Count - 1]) : Task.CompletedTask;
        }
    }

    /// <summary>Records what the channel hands in, as the controller's loop would store it (with the service).</summary>
    private sealed class RecordingJournal : IEventRecorder
    {
        public System.Collections.Immutable.ImmutableList<JournalEvent> Events { get; private set; } = [];

        public Task<JournalEvent> NoteAsync(string service, IInformational record, CancellationToken ct)
        {
            var e = (JournalEvent)record with { Service = service };
            Events = Events.Add(e);
            return Task.FromResult(e);
        }
    }
}
