using System.Collections.Immutable;
using System.Threading.Channels;

namespace Understudy.Journal;

/// <summary>
/// Every event the journal stored, handed to in-process readers (notifications, metrics) after it is
/// durable. Each subscriber gets its own unbounded channel, so a slow reader never delays a failover.
/// </summary>
public sealed class JournalFeed
{
    private ImmutableList<Channel<Core.Journal.JournalEvent>> _subscribers = [];

    public ChannelReader<Core.Journal.JournalEvent> Subscribe()
    {
        var channel = Channel.CreateUnbounded<Core.Journal.JournalEvent>(new UnboundedChannelOptions { SingleReader = true });
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(channel));
        return channel.Reader;
    }

    public void Publish(IReadOnlyList<Core.Journal.JournalEvent> stored)
    {
        foreach (var channel in _subscribers)
            foreach (var e in stored) channel.Writer.TryWrite(e);
    }
}

/// <summary>An <see cref="IJournal"/> that publishes what it stored to a <see cref="JournalFeed"/>.</summary>
public sealed class PublishingJournal(IJournal inner, JournalFeed feed) : IJournal
{
    public async Task<IReadOnlyList<Core.Journal.JournalEvent>> AppendAsync(IReadOnlyList<Core.Journal.JournalEvent> events, CancellationToken ct = default)
    {
        IReadOnlyList<Core.Journal.JournalEvent> stored = await inner.AppendAsync(events, ct);
        feed.Publish(stored);
        return stored;
    }

    public Task<IReadOnlyList<Core.Journal.JournalEvent>> ReadAsync(JournalQuery query, CancellationToken ct = default) => inner.ReadAsync(query, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
